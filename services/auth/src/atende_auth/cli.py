"""`atende auth …`: bootstrap the first admin and rotate the signing keys. Registered as the `auth`
entry of `atende.cli`; reads the same settings (environment) as the service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from atende_auth.adapters.audit_log import TrailAuditLog
from atende_auth.adapters.null_events import LoggedSecurityEvents
from atende_auth.app import build_use_cases, ensure_indexes
from atende_auth.domain.clock import SystemClock
from atende_auth.domain.errors import AuthError
from atende_auth.settings import AuthSettings
from atende_auth.use_cases import UseCases
from atende_core.audit import AuditTrail
from atende_core.bus import topics
from atende_core.identity import Role
from atende_core.service import build_bus
from atende_core.stores import mongo_client, redis_client

T = TypeVar("T")
# Without Kafka the command refuses: an admin created outside the audit log would be a blind spot.
KAFKA_START_TIMEOUT_S = 30.0
app = typer.Typer(help="Operator accounts and signing keys of the auth service.", no_args_is_help=True)


async def _with_use_cases(settings: AuthSettings, work: Callable[[UseCases], Awaitable[T]]) -> T:
    mongo = mongo_client(settings.mongodb_uri)
    redis = redis_client(settings.redis_url)
    # The command's changes (the first admin) belong in the audit log like an operator's.
    bus = build_bus(settings, name="auth-cli", redis=None)
    try:
        await asyncio.wait_for(bus.start(publishes_to=[topics.AUDIT_EVENTS]), timeout=KAFKA_START_TIMEOUT_S)
        db = mongo[settings.mongodb_database]
        await ensure_indexes(db)
        clock = SystemClock()
        audit = TrailAuditLog(AuditTrail(bus, source="auth"))
        use_cases = build_use_cases(
            settings, db=db, redis=redis, events=LoggedSecurityEvents(), audit=audit, clock=clock
        )
        return await work(use_cases)
    finally:
        await bus.stop()
        await redis.aclose()
        await mongo.close()


def _read_password(password_file: Path | None) -> str:
    if password_file is not None:
        return password_file.read_text("utf-8").rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="The admin's username (case-insensitive).")],
    name: Annotated[str, typer.Option(help="Display name (defaults to the username).")] = "",
    password_file: Annotated[
        Path | None, typer.Option(help="Read the password from this file instead of prompting.", exists=True)
    ] = None,
    force_new: Annotated[bool, typer.Option("--force-new", help="Create it even if an admin exists.")] = False,
) -> None:
    """Create an admin account (refused when one exists, unless --force-new). The admin enrols TOTP
    at the first login."""
    settings = AuthSettings()
    password = _read_password(password_file)

    async def work(use_cases: UseCases) -> str:
        if not force_new and await use_cases.deps.users.any_with_role(Role.ADMIN):
            raise typer.BadParameter("an admin exists already (use --force-new to add another)")
        user = await use_cases.admin.create_user(
            None, username=username, name=name or username, role=Role.ADMIN, password=password
        )
        return user.id

    try:
        user_id = asyncio.run(_with_use_cases(settings, work))
    except AuthError as exc:
        typer.echo(f"refused: {exc.detail} ({exc.code})", err=True)
        raise typer.Exit(1) from None
    except typer.BadParameter as exc:
        typer.echo(f"refused: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"admin {username} created (id {user_id}); enrol TOTP at the first login")


@app.command("rotate-keys")
def rotate_keys(
    activation_delay_s: Annotated[
        int | None, typer.Option(help="Seconds before the new key signs (default: the setting).", min=0)
    ] = None,
) -> None:
    """Create a new signing key: published in the JWKS now, signing after the activation delay; the
    previous keys stay published until every token they signed has expired."""
    settings = AuthSettings()

    async def work(use_cases: UseCases) -> str:
        key = await use_cases.keys.rotate(activation_delay_s=activation_delay_s)
        return f"{key.kid} (signs from {key.activates_at.isoformat()})"

    typer.echo("new signing key " + asyncio.run(_with_use_cases(settings, work)))
