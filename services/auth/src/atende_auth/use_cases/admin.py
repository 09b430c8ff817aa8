"""User management by admins (everyone) and supervisors (agents and viewers); nobody changes their
own role or deactivates themselves."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_auth import metrics
from atende_auth.domain import credentials
from atende_auth.domain import errors as e
from atende_auth.domain.passwords import password_problem
from atende_auth.domain.sessions import Session
from atende_auth.domain.users import MANAGES, User, may_manage
from atende_auth.ports import UsernameTaken
from atende_auth.use_cases.context import Caller, Deps
from atende_auth.use_cases.sessions import Sessions
from atende_core.identity import Principal, Role


@dataclass(frozen=True, slots=True)
class PasswordReset:
    """The outcome of a reset: the temporary password when the service chose it."""

    user: User
    temporary_password: str | None
    sessions_revoked: int


class Admin:
    """The admin and supervisor operations on users and sessions."""

    def __init__(self, deps: Deps, sessions: Sessions) -> None:
        self._d = deps
        self._sessions = sessions

    async def _target(self, actor: Principal, user_id: str, *, allow_self: bool = True) -> User:
        user = await self._d.users.by_id(user_id)
        if user is None:
            raise e.AuthError(e.NOT_FOUND, "no such user")
        if user.id == actor.user_id and not allow_self:
            raise e.AuthError(e.FORBIDDEN, "reset your own credentials through the 2FA and login routes")
        if user.id != actor.user_id and not may_manage(actor.role, user.role):
            raise e.AuthError(e.FORBIDDEN, "your role may not manage this user")
        return user

    def _weak(self, password: str, username: str) -> None:
        problem = password_problem(password, min_length=self._d.policy.password_min_length, username=username)
        if problem:
            raise e.AuthError(e.WEAK_PASSWORD, problem)

    async def list_users(self, actor: Principal) -> list[User]:
        """The users the actor may manage."""
        return await self._d.users.list(MANAGES[actor.role])

    async def create_user(
        self,
        actor: Principal | None,
        *,
        username: str,
        name: str,
        role: Role,
        password: str,
        caller: Caller | None = None,
    ) -> User:
        """A new active user (actor None = the bootstrap CLI)."""
        if actor is not None and not may_manage(actor.role, role):
            raise e.AuthError(e.FORBIDDEN, "your role may not create users of this role")
        self._weak(password, username)
        now = self._d.clock.now()
        user = User(
            id=uuid.uuid4().hex,
            username=username.strip(),
            name=name.strip() or username.strip(),
            role=role,
            password_hash=await asyncio.to_thread(self._d.passwords.hash, password),
            active=True,
            created_at=now,
            updated_at=now,
        )
        try:
            await self._d.users.add(user)
        except UsernameTaken:
            raise e.AuthError(e.USERNAME_TAKEN, "a user with this username exists") from None
        await self._audit(actor, "user.created", user.id, caller, role=role.value)
        return user

    async def get_user(self, actor: Principal, user_id: str) -> User:
        """One user the actor may see."""
        return await self._target(actor, user_id)

    async def update_user(
        self,
        actor: Principal,
        user_id: str,
        *,
        name: str | None,
        role: Role | None,
        active: bool | None,
        caller: Caller,
    ) -> User:
        """Rename, change the role of, or (de)activate a user."""
        user = await self._target(actor, user_id)
        own = user.id == actor.user_id
        if own and role is not None and role is not user.role:
            raise e.AuthError(e.FORBIDDEN, "nobody changes their own role")
        if own and active is False:
            raise e.AuthError(e.FORBIDDEN, "nobody deactivates themselves")
        if role is not None and not may_manage(actor.role, role):
            raise e.AuthError(e.FORBIDDEN, "your role may not grant this role")
        role_changed = role is not None and role is not user.role
        deactivated = active is False and user.active
        updated = await self._d.users.set_profile(
            user.id, now=self._d.clock.now(), name=name.strip() if name is not None else None, role=role, active=active
        )
        if updated is None:
            raise e.AuthError(e.NOT_FOUND, "no such user")
        changes = {"name": "changed"} if name is not None and name.strip() != user.name else {}
        if role_changed:
            changes.update({"role_from": user.role.value, "role_to": updated.role.value})
        if active is not None and active != user.active:
            changes["active"] = str(active).lower()
        if changes:
            await self._audit(actor, "user.updated", user.id, caller, **changes)
        if role_changed:
            # Tokens carry the role: end the sessions so the new role applies at once.
            await self._sessions.revoke_all(user.id, reason="role_changed")
            await self._d.events.record(
                Sec.KIND_ROLE_CHANGED,
                user_id=user.id,
                source_ip=caller.ip,
                user_agent=caller.user_agent,
                details={"by": actor.user_id, "from": user.role.value, "to": updated.role.value},
            )
        if deactivated:
            await self._sessions.revoke_all(user.id, reason="deactivated")
            await self._d.events.record(
                Sec.KIND_USER_DEACTIVATED,
                user_id=user.id,
                source_ip=caller.ip,
                user_agent=caller.user_agent,
                details={"by": actor.user_id},
            )
        return updated

    async def reset_password(
        self, actor: Principal, user_id: str, *, password: str | None, caller: Caller
    ) -> PasswordReset:
        """Set a new password (or a generated temporary one) and end every session of the user."""
        user = await self._target(actor, user_id, allow_self=False)
        temporary = None
        if password is None:
            password = temporary = credentials.new_password()
        self._weak(password, user.username)
        new_hash = await asyncio.to_thread(self._d.passwords.hash, password)
        await self._d.users.set_password(user.id, new_hash, now=self._d.clock.now())
        revoked = await self._sessions.revoke_all(user.id, reason="password_reset")
        await self._audit(actor, "user.password_reset", user.id, caller, sessions_revoked=str(revoked))
        await self._d.events.record(
            Sec.KIND_PASSWORD_RESET,
            user_id=user.id,
            source_ip=caller.ip,
            user_agent=caller.user_agent,
            details={"by": actor.user_id},
        )
        return PasswordReset(user=user, temporary_password=temporary, sessions_revoked=revoked)

    async def reset_two_factor(self, actor: Principal, user_id: str, *, caller: Caller) -> User:
        """Remove a user's TOTP (lost phone) and end their sessions; they enrol again at next login."""
        user = await self._target(actor, user_id, allow_self=False)
        await self._d.users.disable_totp(user.id, now=self._d.clock.now())
        await self._sessions.revoke_all(user.id, reason="two_factor_reset")
        metrics.TWO_FACTOR.labels("reset").inc()
        await self._audit(actor, "user.two_factor_reset", user.id, caller)
        await self._d.events.record(
            Sec.KIND_TWO_FACTOR_DISABLED,
            user_id=user.id,
            source_ip=caller.ip,
            user_agent=caller.user_agent,
            details={"by": actor.user_id, "reason": "reset"},
        )
        refreshed = await self._d.users.by_id(user.id)
        return refreshed or user

    async def sessions_of(self, actor: Principal, user_id: str) -> list[Session]:
        """The user's live sessions."""
        user = await self._target(actor, user_id)
        return await self._d.sessions.active(user.id, now=self._d.clock.now())

    async def revoke_session(self, actor: Principal, session_id: str, *, caller: Caller | None = None) -> None:
        """End one session of a user the actor may manage."""
        session = await self._d.sessions.get(session_id)
        if session is None:
            raise e.AuthError(e.NOT_FOUND, "no such session")
        await self._target(actor, session.user_id)
        await self._sessions.revoke(session.id, reason="admin")
        await self._audit(actor, "session.revoked", session.user_id, caller, session_id=session.id)

    async def _audit(
        self, actor: Principal | None, action: str, target: str, caller: Caller | None, **details: str
    ) -> None:
        """One audit entry of a change made by `actor` (None = the bootstrap command)."""
        await self._d.audit.record(
            actor_id=actor.user_id if actor else None,
            action=action,
            target=target,
            source_ip=caller.ip if caller else "",
            details={"actor_role": actor.role.value, **details} if actor else details,
        )
