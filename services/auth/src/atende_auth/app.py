"""Composition root of the auth service: MongoDB for users, sessions and signing keys, Redis for
lockouts, rate limits and the revoked-session list; it publishes security events and consumes nothing."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis
from tenacity import AsyncRetrying, stop_after_attempt, wait_fixed

from atende_auth import admin_api, api, http
from atende_auth.adapters.audit_log import TrailAuditLog
from atende_auth.adapters.mongo_keys import MongoKeyStore
from atende_auth.adapters.mongo_sessions import MongoSessionStore
from atende_auth.adapters.mongo_users import MongoUserStore
from atende_auth.adapters.redis_guard import RedisAttemptGuard, RedisRevocations
from atende_auth.adapters.secret_box import AesGcmSecretBox
from atende_auth.adapters.security_events import BusSecurityEvents
from atende_auth.audit import consumer as audit
from atende_auth.domain.clock import Clock, SystemClock
from atende_auth.domain.lockout import BurstPolicy, LockoutPolicy
from atende_auth.domain.passwords import Argon2Parameters, Passwords
from atende_auth.ports import AuditLog, RateLimit, SecurityEvents
from atende_auth.settings import AuthSettings
from atende_auth.use_cases import UseCases
from atende_auth.use_cases.context import Deps, Policy
from atende_auth.use_cases.keyring import KeyRing
from atende_core import privacy
from atende_core.audit import AuditTrail
from atende_core.bus import Bus, topics
from atende_core.identity import JWKS_PATH, TokenVerifier
from atende_core.operator_auth import OperatorGuard
from atende_core.ratelimit import RateLimiter
from atende_core.service import Runtime, build_bus, create_service_app, mongo_ready, redis_ready
from atende_core.stores import mongo_client, redis_client

NAME = "auth"
log = logging.getLogger(__name__)


def policy_of(settings: AuthSettings) -> Policy:
    """The use cases' policy from the settings."""
    return Policy(
        access_ttl_s=settings.auth_access_ttl_s,
        refresh_ttl_s=settings.auth_refresh_ttl_s,
        enrolment_ttl_s=settings.auth_enrolment_ttl_s,
        agents_2fa_required=settings.auth_agent_2fa_required,
        allowlist=settings.auth_ip_allowlist,
        login_rate_per_ip=settings.auth_login_rate_per_ip,
        login_rate_per_username=settings.auth_login_rate_per_username,
        refresh_rate_per_ip=settings.auth_refresh_rate_per_ip,
        password_min_length=settings.auth_password_min_length,
        known_ips_kept=settings.auth_known_ips_kept,
        totp_issuer=settings.auth_totp_issuer,
    )


def build_use_cases(
    settings: AuthSettings,
    *,
    db: AsyncDatabase[dict[str, Any]],
    redis: Redis,
    events: SecurityEvents,
    audit: AuditLog,
    clock: Clock,
    rate_limit: RateLimit | None = None,
) -> UseCases:
    """The use cases over the real adapters (shared by the app and the CLI)."""
    prefix = settings.kafka_topic_prefix
    box = AesGcmSecretBox(settings.auth_totp_encryption_key.get_secret_value())
    lockout = {
        scope: LockoutPolicy(
            threshold=threshold,
            window_s=settings.auth_lockout_window_s,
            base_lock_s=settings.auth_lockout_base_s,
            max_lock_s=settings.auth_lockout_max_s,
        )
        for scope, threshold in (
            ("user", settings.auth_lockout_user_threshold),
            ("ip", settings.auth_lockout_ip_threshold),
        )
    }
    deps = Deps(
        users=MongoUserStore(db),
        sessions=MongoSessionStore(db),
        keys=KeyRing(
            MongoKeyStore(db, box),
            clock=clock,
            token_ttl_s=max(settings.auth_access_ttl_s, settings.auth_enrolment_ttl_s),
            rotation_interval_s=settings.auth_key_rotation_interval_s,
            activation_delay_s=settings.auth_key_activation_delay_s,
        ),
        box=box,
        attempts=RedisAttemptGuard(
            redis,
            key_prefix=prefix,
            policies=lockout,
            burst=BurstPolicy(
                distinct_accounts=settings.auth_burst_distinct_accounts, window_s=settings.auth_burst_window_s
            ),
        ),
        revocations=RedisRevocations(redis, key_prefix=prefix, access_ttl_s=settings.auth_access_ttl_s),
        rate_limit=rate_limit or RateLimiter(redis_url=settings.redis_url, key_prefix=prefix),
        events=events,
        audit=audit,
        passwords=Passwords(
            Argon2Parameters(
                time_cost=settings.auth_argon2_time_cost,
                memory_cost_kib=settings.auth_argon2_memory_kib,
                parallelism=settings.auth_argon2_parallelism,
            )
        ),
        clock=clock,
        policy=policy_of(settings),
    )
    return UseCases.build(deps)


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]]) -> None:
    """The indexes of auth's collections."""
    await MongoUserStore(db).ensure_indexes()
    await MongoSessionStore(db).ensure_indexes()


def create_app(
    settings: AuthSettings,
    *,
    redis: Redis | None = None,
    mongo: AsyncMongoClient[dict[str, Any]] | None = None,
    bus: Bus | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Wire the auth service: stores, use cases, the operator guard over its own JWKS, the routes."""
    redis = redis or redis_client(settings.redis_url)
    mongo = mongo or mongo_client(settings.mongodb_uri)
    bus = bus or build_bus(settings, name=NAME, redis=redis)
    clock = clock or SystemClock()
    db = mongo[settings.mongodb_database]
    use_cases = build_use_cases(
        settings,
        db=db,
        redis=redis,
        events=BusSecurityEvents(bus, clock=clock),
        audit=TrailAuditLog(AuditTrail(bus, source=NAME)),
        clock=clock,
    )

    async def prepare() -> None:
        # A fresh MongoDB-wire database can refuse the first writes briefly: retry, then fail start-up.
        async for attempt in AsyncRetrying(stop=stop_after_attempt(5), wait=wait_fixed(0.5), reraise=True):
            with attempt:
                try:
                    await ensure_indexes(db)
                    await use_cases.keys.signing_key()  # the first key, on a fresh database
                except Exception as exc:
                    log.warning(
                        "auth start-up step failed",
                        extra={"event.action": "auth-prepare-failed", "error.type": type(exc).__name__},
                    )
                    raise

    # Auth holds operators, not customers (audit entries carry no PII): it confirms erasures with nothing erased.
    privacy.subscribe(bus, service=NAME)

    async def close_mongo() -> None:
        await mongo.close()

    runtime = Runtime(
        bus=bus,
        publishes_to=[topics.SECURITY_EVENTS, topics.AUDIT_EVENTS],
        checks={"kafka": bus.ping, "redis": redis_ready(redis), "mongodb": mongo_ready(mongo)},
        on_startup=[prepare],
        on_shutdown=[redis.aclose, close_mongo],
    )
    audit.install(runtime, bus=bus, mongo=mongo, redis=redis, settings=settings)
    app = create_service_app(name=NAME, runtime=runtime, internal_token=settings.internal_api_token)
    # This service's own routes verify tokens with the same TokenVerifier as every other service,
    # reading the JWKS from this very app in-process (no network hop, no second verification code).
    jwks_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://auth.internal")
    runtime.on_shutdown.append(jwks_client.aclose)
    guard = OperatorGuard(
        verifier=TokenVerifier(jwks_url="http://auth.internal" + JWKS_PATH, client=jwks_client),
        redis=redis,
        key_prefix=settings.kafka_topic_prefix,
    )
    caller = http.caller_of(settings.auth_trusted_proxies)
    app.include_router(api.router(use_cases, guard, caller))
    app.include_router(admin_api.router(use_cases, guard, caller))
    http.install(app)

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> dict[str, Any]:
        return app.openapi()

    app.state.use_cases = use_cases
    return app
