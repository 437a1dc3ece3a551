"""Mint development tokens: ``solidarity-token --role clerk --centre plovdiv``.

Signed with JWT_SECRET from the environment (the development default unless set), so they are
accepted by services running locally and rejected anywhere with a real secret.
"""

from __future__ import annotations

import argparse
import uuid
from datetime import timedelta

from shared.auth.principal import Principal, Role
from shared.auth.tokens import TokenCodec
from shared.config import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print a development JWT for the local platform.")
    parser.add_argument("--role", action="append", choices=[r.value for r in Role], required=True)
    parser.add_argument("--sub", default="", help="subject (a new UUID when omitted)")
    parser.add_argument("--name", default="Демо потребител")
    parser.add_argument("--email", default="demo@example.bg")
    parser.add_argument("--enterprise-id", default=None, help="for a representative")
    parser.add_argument("--centre", default=None, help="for a clerk: a centre id or 'national'")
    parser.add_argument("--hours", type=float, default=12.0)
    args = parser.parse_args(argv)

    codec = TokenCodec.from_settings(Settings.from_env("devtoken"))
    principal = Principal(
        subject=args.sub or str(uuid.uuid4()),
        roles=frozenset(Role(r) for r in args.role),
        name=args.name,
        email=args.email,
        email_verified=True,
        enterprise_id=args.enterprise_id,
        centre=args.centre,
    )
    print(codec.encode(principal, timedelta(hours=args.hours)))


if __name__ == "__main__":
    main()
