"""Every record a consumer reads is checked against its CRC-32C: natively, not in Python.

kafka-python falls back to a pure-Python CRC-32C without its ``crc32c`` extra; that fallback took 60 % of a
consumer's CPU in the marketplace consumer's benchmark (bench/README.md §4)."""

from __future__ import annotations

from kafka.record import util
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder


def test_record_checksums_are_computed_by_the_native_library() -> None:
    assert util.crc32c_c is not None, "install kafka-python[crc32c] (pyproject.toml)"


def test_a_batch_written_and_read_back_passes_its_checksum() -> None:
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=0, is_transactional=False, producer_id=-1, producer_epoch=-1, base_sequence=-1,
        batch_size=1 << 16,
    )  # fmt: skip
    builder.append(0, timestamp=None, key=b"enterprise-1", value="Социално предприятие".encode(), headers=[])
    batch = DefaultRecordBatch(bytes(builder.build()))

    assert batch.validate_crc()
    assert [record.value.decode() for record in batch] == ["Социално предприятие"]
