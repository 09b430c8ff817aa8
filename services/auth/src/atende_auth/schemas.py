"""Request and response bodies of the auth API. Every field is typed and bounded, and unknown fields
are refused, so a JSON object where a string belongs (a MongoDB operator such as {"$ne": ""}) is a
422 and never reaches a query."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from atende_core.identity import Role

Username = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@+-]+$")]
Password = Annotated[str, StringConstraints(min_length=1, max_length=512)]
Otp = Annotated[str, StringConstraints(min_length=6, max_length=8, pattern=r"^\s*\d{6}\s*$")]
RecoveryCode = Annotated[str, StringConstraints(min_length=8, max_length=32)]
OpaqueToken = Annotated[str, StringConstraints(min_length=16, max_length=256)]
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=120)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_Body):
    """Username and password, and a TOTP code or a recovery code when 2FA is on."""

    username: Username
    password: Password
    otp: Otp | None = None
    recovery_code: RecoveryCode | None = None


class RefreshRequest(_Body):
    """A refresh token (it retires on use)."""

    refresh_token: OpaqueToken


class LogoutRequest(_Body):
    """Optionally the session's refresh token."""

    refresh_token: OpaqueToken | None = None


class OtpRequest(_Body):
    """A TOTP code."""

    otp: Otp


class DisableTwoFactorRequest(_Body):
    """The password and a current TOTP code."""

    password: Password
    otp: Otp


class CreateUserRequest(_Body):
    """A new operator."""

    username: Username
    name: DisplayName
    role: Role
    password: Password


class UpdateUserRequest(_Body):
    """Fields to change (absent = unchanged)."""

    name: DisplayName | None = None
    role: Role | None = None
    active: StrictBool | None = None


class PasswordResetRequest(_Body):
    """The new password; absent = the service generates a temporary one and answers it once."""

    password: Password | None = None


class UserOut(BaseModel):
    """A user as the API shows it (no secrets)."""

    id: str
    username: str
    name: str
    role: Role
    totp_enabled: bool
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None


class TokenResponse(BaseModel):
    """A token pair."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a credential
    expires_in: int
    user: UserOut


class EnrolmentRequiredResponse(BaseModel):
    """The password was right, but the role requires TOTP: enrol with this token first."""

    enrolment_required: Literal[True] = True
    enrolment_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a credential
    expires_in: int
    user: UserOut


class EnrolmentResponse(BaseModel):
    """TOTP enrolment material (secret, otpauth URI, SVG QR code)."""

    secret: str
    otpauth_uri: str
    qr_svg: str


class ConfirmResponse(BaseModel):
    """Recovery codes, shown once; and, when confirmed with an enrolment token, the token pair of the
    login it completes (the same fields as a login answer)."""

    recovery_codes: list[str]
    access_token: str | None = None
    refresh_token: str | None = None
    token_type: Literal["bearer"] | None = None
    expires_in: int | None = None
    user: UserOut | None = None


class PasswordResetResponse(BaseModel):
    """Reset done; the temporary password only when the service generated it."""

    user: UserOut
    temporary_password: str | None = None
    sessions_revoked: int


class SessionOut(BaseModel):
    """A live session."""

    session_id: str
    user_id: str
    created_at: datetime
    last_refresh_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str


class UserList(BaseModel):
    """Users."""

    items: list[UserOut]


class SessionList(BaseModel):
    """Sessions."""

    items: list[SessionOut]


class Jwks(BaseModel):
    """The public keys that verify access tokens."""

    keys: list[dict[str, str]] = Field(default_factory=list)


class ErrorOut(BaseModel):
    """A refusal."""

    detail: str
    code: str
