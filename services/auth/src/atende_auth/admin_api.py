"""User and session management for admins and supervisors."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from atende_auth import schemas as s
from atende_auth.api import REFUSALS, session_out, user_out
from atende_auth.use_cases import UseCases
from atende_auth.use_cases.context import Caller
from atende_core.identity import Principal, Role
from atende_core.operator_auth import OperatorGuard

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ADMIN_REFUSALS = {**REFUSALS, 404: {"model": s.ErrorOut}, 409: {"model": s.ErrorOut}}


def router(use_cases: UseCases, guard: OperatorGuard, caller: Callable[..., Caller]) -> APIRouter:
    """The /auth/users and /auth/sessions routes (admins: everyone; supervisors: agents and viewers)."""
    api = APIRouter(prefix="/auth", tags=["users"], responses=ADMIN_REFUSALS)
    Manager = Annotated[Principal, Depends(guard.require(Role.ADMIN, Role.SUPERVISOR))]  # noqa: N806 - a dependency alias, named like the type it stands for
    CallerDep = Annotated[Caller, Depends(caller)]  # noqa: N806 - a dependency alias, named like the type it stands for
    admin = use_cases.admin

    @api.get("/users")
    async def list_users(actor: Manager) -> s.UserList:
        """The users the caller may manage."""
        return s.UserList(items=[user_out(u) for u in await admin.list_users(actor)])

    @api.post("/users", status_code=status.HTTP_201_CREATED)
    async def create_user(body: s.CreateUserRequest, actor: Manager, who: CallerDep) -> s.UserOut:
        """Create an operator."""
        user = await admin.create_user(
            actor, username=body.username, name=body.name, role=body.role, password=body.password, caller=who
        )
        return user_out(user)

    @api.get("/users/{user_id}")
    async def get_user(user_id: Id, actor: Manager) -> s.UserOut:
        """One user."""
        return user_out(await admin.get_user(actor, user_id))

    @api.patch("/users/{user_id}")
    async def update_user(user_id: Id, body: s.UpdateUserRequest, actor: Manager, who: CallerDep) -> s.UserOut:
        """Rename, change the role of, or (de)activate a user; deactivation ends every session."""
        user = await admin.update_user(actor, user_id, name=body.name, role=body.role, active=body.active, caller=who)
        return user_out(user)

    @api.post("/users/{user_id}/password-reset")
    async def reset_password(
        user_id: Id, actor: Manager, who: CallerDep, body: s.PasswordResetRequest | None = None
    ) -> s.PasswordResetResponse:
        """Set a new password (or generate one) and end every session of the user."""
        reset = await admin.reset_password(actor, user_id, password=body.password if body else None, caller=who)
        return s.PasswordResetResponse(
            user=user_out(reset.user),
            temporary_password=reset.temporary_password,
            sessions_revoked=reset.sessions_revoked,
        )

    @api.post("/users/{user_id}/2fa-reset")
    async def reset_two_factor(user_id: Id, actor: Manager, who: CallerDep) -> s.UserOut:
        """Remove the user's TOTP (lost phone) and end their sessions."""
        return user_out(await admin.reset_two_factor(actor, user_id, caller=who))

    @api.get("/users/{user_id}/sessions")
    async def sessions(user_id: Id, actor: Manager) -> s.SessionList:
        """The user's live sessions."""
        return s.SessionList(items=[session_out(x) for x in await admin.sessions_of(actor, user_id)])

    @api.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def revoke_session(session_id: Id, actor: Manager, who: CallerDep) -> Response:
        """End one session."""
        await admin.revoke_session(actor, session_id, caller=who)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return api
