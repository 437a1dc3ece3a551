"""Real Kafka and MongoDB-protocol servers for tests and the local stack, with or without Docker.

`start_infrastructure` takes the URLs from the environment when both are set, else starts Docker
containers when a Docker engine answers, else runs Apache Kafka (KRaft) and FerretDB (SQLite) as
local processes on 127.0.0.1.
"""

from shared.localinfra.errors import InfrastructureError, MissingToolError, PortInUseError
from shared.localinfra.infrastructure import KAFKA_ENV, MONGODB_ENV, Infrastructure, Source
from shared.localinfra.ports import claim_port, claim_ports
from shared.localinfra.process import ServerProcess
from shared.localinfra.stack import infrastructure_from_env, start_infrastructure, start_local

__all__ = [
    "KAFKA_ENV",
    "MONGODB_ENV",
    "Infrastructure",
    "InfrastructureError",
    "MissingToolError",
    "PortInUseError",
    "ServerProcess",
    "Source",
    "claim_port",
    "claim_ports",
    "infrastructure_from_env",
    "start_infrastructure",
    "start_local",
]
