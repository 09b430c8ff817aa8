"""The auth routes: login, refresh, logout, me, TOTP 2FA and the JWKS (admin routes: admin_api.py)."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response, status

from atende_auth import schemas as s
from atende_auth.domain.sessions import Session
from atende_auth.domain.tokens import verify_enrolment_token
from atende_auth.domain.users import User
from atende_auth.use_cases import UseCases
from atende_auth.use_cases.context import Caller, EnrolmentRequired, TokenPair
from atende_core.identity import JWKS_PATH, Principal
from atende_core.operator_auth import OperatorGuard

REFUSALS: dict[int | str, dict[str, Any]] = {code: {"model": s.ErrorOut} for code in (401, 403, 423, 429)}


def user_out(user: User) -> s.UserOut:
    """The public view of a user."""
    return s.UserOut(
        id=user.id,
        username=user.username,
        name=user.name,
        role=user.role,
        totp_enabled=user.totp_enabled,
        active=user.active,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


def session_out(session: Session) -> s.SessionOut:
    """The public view of a session."""
    return s.SessionOut(
        session_id=session.id,
        user_id=session.user_id,
        created_at=session.created_at,
        last_refresh_at=session.last_refresh_at,
        expires_at=session.expires_at,
        ip=session.ip,
        user_agent=session.user_agent,
    )


def tokens_out(pair: TokenPair) -> s.TokenResponse:
    """A token pair as answered."""
    return s.TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        user=user_out(pair.user),
    )


def router(use_cases: UseCases, guard: OperatorGuard, caller: Callable[..., Caller]) -> APIRouter:
    """The routes every operator uses (the gateway proxies them, except the JWKS)."""
    api = APIRouter(prefix="/auth", tags=["auth"])
    CallerDep = Annotated[Caller, Depends(caller)]  # noqa: N806 - a dependency alias, named like the type it stands for
    Operator = Annotated[Principal, Depends(guard.require())]  # noqa: N806 - a dependency alias, named like the type it stands for

    async def enrolling(authorization: Annotated[str | None, Header()] = None) -> tuple[str, bool]:
        """(user id, True) for an enrolment token; (user id, False) for an operator token; else 401."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            claims = verify_enrolment_token(token.strip(), await use_cases.keys.by_kid())
            if claims is not None:
                return claims.user_id, True
        principal = await guard.authenticate(authorization)
        return principal.user_id, False

    Enrolling = Annotated[tuple[str, bool], Depends(enrolling)]  # noqa: N806 - a dependency alias, named like the type it stands for

    @api.post("/login", responses=REFUSALS)
    async def login(body: s.LoginRequest, who: CallerDep) -> s.TokenResponse | s.EnrolmentRequiredResponse:
        """Log in with username, password and, when 2FA is on, a TOTP or recovery code."""
        result = await use_cases.login(
            username=body.username,
            password=body.password,
            otp=body.otp,
            recovery_code=body.recovery_code,
            caller=who,
        )
        if isinstance(result, EnrolmentRequired):
            return s.EnrolmentRequiredResponse(
                enrolment_token=result.enrolment_token, expires_in=result.expires_in, user=user_out(result.user)
            )
        return tokens_out(result)

    @api.post("/refresh", responses=REFUSALS)
    async def refresh(body: s.RefreshRequest, who: CallerDep) -> s.TokenResponse:
        """Trade a refresh token for a new pair; a reused one revokes its whole session."""
        return tokens_out(await use_cases.sessions.refresh(body.refresh_token, caller=who))

    @api.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSALS)
    async def logout(principal: Operator, body: s.LogoutRequest | None = None) -> Response:
        """End the session of the bearer token."""
        await use_cases.sessions.logout(
            user_id=principal.user_id,
            session_id=principal.session_id,
            refresh_token=body.refresh_token if body else None,
        )
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @api.get("/me", responses=REFUSALS)
    async def me(principal: Operator) -> s.UserOut:
        """The user of the bearer token."""
        return user_out(await use_cases.admin.get_user(principal, principal.user_id))

    @api.post("/2fa/enrol", responses=REFUSALS)
    async def enrol(who: Enrolling) -> s.EnrolmentResponse:
        """Start TOTP enrolment (operator or enrolment token): secret, otpauth URI and QR code."""
        enrolment = await use_cases.two_factor.enrol(who[0])
        return s.EnrolmentResponse(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_svg=enrolment.qr_svg)

    @api.post("/2fa/confirm", responses=REFUSALS)
    async def confirm(body: s.OtpRequest, who: Enrolling, caller_: CallerDep) -> s.ConfirmResponse:
        """Confirm enrolment with a first code: recovery codes (shown once), and tokens after an
        enrolment-token login."""
        user_id, with_enrolment_token = who
        confirmed = await use_cases.two_factor.confirm(
            user_id, body.otp, caller=caller_, open_session=with_enrolment_token
        )
        if confirmed.tokens is None:
            return s.ConfirmResponse(recovery_codes=confirmed.recovery_codes)
        return s.ConfirmResponse(recovery_codes=confirmed.recovery_codes, **tokens_out(confirmed.tokens).model_dump())

    @api.post("/2fa/disable", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSALS)
    async def disable(body: s.DisableTwoFactorRequest, principal: Operator, who: CallerDep) -> Response:
        """Turn TOTP off (password and code), where the role's policy allows it."""
        await use_cases.two_factor.disable(principal.user_id, password=body.password, otp=body.otp, caller=who)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @api.get(JWKS_PATH.removeprefix("/auth"))
    async def jwks() -> s.Jwks:
        """The public keys that verify access tokens (internal: services fetch it directly)."""
        return s.Jwks.model_validate(await use_cases.keys.jwks())

    return api
