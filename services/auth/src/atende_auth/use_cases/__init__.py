"""The auth service's use cases, built once from their ports (`UseCases.build(deps)`)."""

from __future__ import annotations

from dataclasses import dataclass

from atende_auth.use_cases.admin import Admin
from atende_auth.use_cases.context import Deps
from atende_auth.use_cases.keyring import KeyRing
from atende_auth.use_cases.login import Login
from atende_auth.use_cases.sessions import Sessions
from atende_auth.use_cases.two_factor import TwoFactor


@dataclass(frozen=True, slots=True)
class UseCases:
    """Everything the API and the CLI call."""

    deps: Deps
    login: Login
    sessions: Sessions
    two_factor: TwoFactor
    admin: Admin

    @property
    def keys(self) -> KeyRing:
        """The key ring."""
        return self.deps.keys

    @classmethod
    def build(cls, deps: Deps) -> UseCases:
        """Wire the use cases over `deps`."""
        sessions = Sessions(deps)
        two_factor = TwoFactor(deps, sessions)
        return cls(
            deps=deps,
            login=Login(deps, sessions, two_factor),
            sessions=sessions,
            two_factor=two_factor,
            admin=Admin(deps, sessions),
        )
