"""Who is asking: JWT bearer tokens, roles and the enterprise or centre a person is bound to."""

from shared.auth.principal import ANONYMOUS, Principal, Role
from shared.auth.tokens import AuthError, IdentityProviderUnavailable, TokenCodec

__all__ = ["ANONYMOUS", "AuthError", "IdentityProviderUnavailable", "Principal", "Role", "TokenCodec"]
