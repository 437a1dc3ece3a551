"""Let a group rebalance that outlived one ``poll()`` finish on the next one.

kafka-python 3.0 keeps a JoinGroup/SyncGroup round that a poll's timeout cut short and awaits it on the
next poll, but only while the coordinator says the member must rejoin. A group leader that rejoins because
the topics' metadata changed stops saying so as soon as it has computed the new assignment, so a round
finished between two polls is never taken up: the member stays "rebalancing", holds no fetchable
partition and reads nothing until the broker drops it from the group. Under load this left a consumer
idle for good after a retry (a SyncGroup slower than the 500 ms poll). Saying "rejoin" while a round is
held makes the next poll finish that round, or start a fresh one.
"""

from __future__ import annotations

from kafka import KafkaConsumer


def finish_interrupted_rebalances(consumer: KafkaConsumer) -> None:
    coordinator = getattr(consumer, "_coordinator", None)
    if coordinator is None or not hasattr(coordinator, "_join_task"):
        return  # another kafka-python: nothing of this to correct
    decides = coordinator.need_rejoin

    def need_rejoin() -> bool:
        return coordinator._join_task is not None or decides()

    coordinator.need_rejoin = need_rejoin
