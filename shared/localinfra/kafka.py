"""A single-node Apache Kafka broker (KRaft, combined broker and controller) run from Maven jars."""

from __future__ import annotations

import base64
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from shared.localinfra.ports import LOCALHOST, is_listening
from shared.localinfra.process import ServerProcess
from shared.localinfra.tools import DEPLOY_LOCAL, cache_dir, require_tool, run_tool

KAFKA_VERSION = "4.3.1"
KAFKA_POM = DEPLOY_LOCAL / "kafka" / "pom.xml"
KAFKA_LOG4J = DEPLOY_LOCAL / "kafka" / "log4j2.properties"
KAFKA_READY_TIMEOUT_S = 90.0
JVM_OPTIONS = ["-Xmx512m", "-Xms256m", "-XX:+UseSerialGC", "-Djava.awt.headless=true"]

logger = logging.getLogger(__name__)

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}
advertised.listeners=PLAINTEXT://{host}:{port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers={host}:{controller_port}
log.dirs={data_dir}
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=67108864
"""


def kafka_libs() -> Path:
    """The folder of broker jars, fetched with Maven into the cache on first use."""
    home = cache_dir() / f"kafka-{KAFKA_VERSION}"
    libs = home / "libs"
    if (libs / f"kafka_2.13-{KAFKA_VERSION}.jar").is_file():
        return libs
    mvn = require_tool("mvn", f"download the Apache Kafka {KAFKA_VERSION} jars (once, into {libs})")
    home.mkdir(parents=True, exist_ok=True)
    # Download next to the final folder and rename it into place only when complete, so an
    # interrupted download is never taken for a finished one.
    partial = Path(tempfile.mkdtemp(prefix="libs.partial-", dir=home))
    partial.chmod(0o755)  # mkdtemp makes it private; the cache is meant to be shared
    try:
        logger.info("Downloading Kafka %s jars into %s", KAFKA_VERSION, libs)
        run_tool(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(KAFKA_POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={partial}",
                "-DincludeScope=runtime",
            ],
            what="Downloading the Kafka jars with Maven",
        )
        if libs.exists():
            shutil.rmtree(libs)  # incomplete: it lacks the broker jar
        try:
            os.rename(partial, libs)
        except OSError:
            if not (libs / f"kafka_2.13-{KAFKA_VERSION}.jar").is_file():
                raise
            # else another process finished the same download first
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return libs


def new_cluster_id() -> str:
    """A random KRaft cluster id: 16 random bytes in unpadded base64url, as Kafka's own tool makes."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # would be read as a command-line option
            return cluster_id


def _classpath(libs: Path) -> str:
    return str(libs / "*")  # expanded by the JVM itself, not by a shell


def prepare_kafka() -> tuple[str, Path]:
    """Check for Java, then fetch the jars if needed: the java executable and the jar folder."""
    java = require_tool("java", f"run the Apache Kafka {KAFKA_VERSION} broker (Java 17 or newer)")
    return java, kafka_libs()


def launch_kafka(run_dir: Path, port: int, controller_port: int) -> ServerProcess:
    """Write the broker's configuration, format its storage once, and start it (without waiting)."""
    java, libs = prepare_kafka()
    home = run_dir / "kafka"
    data_dir = home / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    properties = home / "server.properties"
    properties.write_text(
        SERVER_PROPERTIES.format(host=LOCALHOST, port=port, controller_port=controller_port, data_dir=data_dir)
    )
    log4j = f"-Dlog4j2.configurationFile={KAFKA_LOG4J}"
    if not (data_dir / "meta.properties").is_file():
        run_tool(
            [
                java,
                "-cp",
                _classpath(libs),
                log4j,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                new_cluster_id(),
                "-c",
                str(properties),
                "--standalone",
                "--ignore-formatted",
            ],
            what="Formatting the Kafka storage",
            timeout=120.0,
        )
    return ServerProcess.launch(
        "kafka",
        [java, *JVM_OPTIONS, log4j, "-cp", _classpath(libs), "kafka.Kafka", str(properties)],
        log_path=run_dir / "kafka.log",
        marker=str(properties),
    )


def kafka_answers(bootstrap: str, timeout: float = 5.0) -> bool:
    """True if a metadata request to the broker succeeds and lists at least one broker."""
    from kafka import KafkaAdminClient

    host, _, port = bootstrap.rpartition(":")
    if not is_listening(host, int(port), timeout=min(timeout, 1.0)):
        return False
    timeout_ms = int(timeout * 1000)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="solidarity-localinfra",
            bootstrap_timeout_ms=timeout_ms,
            request_timeout_ms=timeout_ms,
        )
    except Exception:
        return False
    try:
        return bool(admin.describe_cluster()["brokers"])
    except Exception:
        return False
    finally:
        admin.close()


def wait_for_kafka(server: ServerProcess, bootstrap: str, timeout: float = KAFKA_READY_TIMEOUT_S) -> None:
    """Block until the broker answers; raise with the end of its log if it exits or the time runs out."""
    server.wait_until_answering(lambda t: kafka_answers(bootstrap, timeout=t), bootstrap, timeout, probe_timeout=5.0)
