"""Pure domain logic of the auth service: roles, lockout backoff, key publication, client addresses,
TOTP steps, credentials and passwords."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from atende_auth.adapters.secret_box import AesGcmSecretBox
from atende_auth.domain import credentials, keys, totp
from atende_auth.domain.lockout import LockoutPolicy
from atende_auth.domain.network import client_address, ip_allowed
from atende_auth.domain.passwords import Argon2Parameters, Passwords, password_problem
from atende_auth.domain.users import may_manage, two_factor_required, username_key
from atende_auth.ports import UndecryptableSecret
from atende_core.identity import CLOCK_LEEWAY_S, Role

pytestmark = pytest.mark.unit
T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
LOOPBACK = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8")]


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        (Role.ADMIN, Role.ADMIN, True),
        (Role.ADMIN, Role.VIEWER, True),
        (Role.SUPERVISOR, Role.AGENT, True),
        (Role.SUPERVISOR, Role.VIEWER, True),
        (Role.SUPERVISOR, Role.SUPERVISOR, False),
        (Role.SUPERVISOR, Role.ADMIN, False),
        (Role.AGENT, Role.VIEWER, False),
        (Role.VIEWER, Role.VIEWER, False),
    ],
)
def test_who_manages_whom(actor: Role, target: Role, allowed: bool) -> None:
    assert may_manage(actor, target) is allowed


def test_two_factor_is_mandatory_for_admins_and_supervisors_and_a_setting_for_agents() -> None:
    assert two_factor_required(Role.ADMIN, agents_required=False)
    assert two_factor_required(Role.SUPERVISOR, agents_required=False)
    assert not two_factor_required(Role.AGENT, agents_required=False)
    assert two_factor_required(Role.AGENT, agents_required=True)
    assert not two_factor_required(Role.VIEWER, agents_required=True)


def test_usernames_compare_without_case_or_width() -> None:
    assert username_key(" Ana.Souza ") == username_key("ana.souza") == username_key("ＡＮＡ.souza".replace("Ｎ", "N"))


def test_each_lock_doubles_up_to_the_cap() -> None:
    policy = LockoutPolicy(base_lock_s=30, max_lock_s=600)
    assert [policy.lock_duration_s(n) for n in range(7)] == [30, 60, 120, 240, 480, 600, 600]
    assert policy.lock_duration_s(10_000) == 600


def _key(activates: datetime) -> keys.SigningKey:
    return keys.new_key(now=activates - timedelta(seconds=30), activates_at=activates)


def test_the_latest_active_key_signs_and_pending_keys_are_published_early() -> None:
    first, second = _key(T0), _key(T0 + timedelta(hours=1))
    assert keys.signing_key([first, second], now=T0 + timedelta(minutes=59)) == first
    assert keys.signing_key([first, second], now=T0 + timedelta(hours=1)) == second
    published = keys.published([first, second], now=T0 + timedelta(minutes=59), token_ttl_s=600)
    assert published == [first, second]


def test_a_retired_key_stays_published_until_its_last_token_expires() -> None:
    first, second = _key(T0), _key(T0 + timedelta(hours=1))
    last_token_expiry = second.activates_at + timedelta(seconds=600 + CLOCK_LEEWAY_S)
    before = keys.published([first, second], now=last_token_expiry - timedelta(seconds=1), token_ttl_s=600)
    after = keys.published([first, second], now=last_token_expiry, token_ttl_s=600)
    assert before == [first, second]
    assert after == [second]


def test_rotation_is_due_after_the_interval_and_never_while_a_key_is_pending() -> None:
    assert keys.rotation_due([], now=T0, interval_s=3600)
    current = _key(T0)
    assert not keys.rotation_due([current], now=T0 + timedelta(minutes=59), interval_s=3600)
    assert keys.rotation_due([current], now=T0 + timedelta(hours=1), interval_s=3600)
    pending = _key(T0 + timedelta(hours=2))
    assert not keys.rotation_due([current, pending], now=T0 + timedelta(hours=1, minutes=30), interval_s=3600)


def test_the_public_jwk_has_no_private_part() -> None:
    jwk = _key(T0).public_jwk()
    assert jwk.keys() == {"kty", "crv", "x", "kid", "alg", "use"}


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", ["10.0.0.1"], "203.0.113.5"),  # an untrusted peer's header is ignored
        ("127.0.0.1", ["203.0.113.5"], "203.0.113.5"),
        ("127.0.0.1", ["6.6.6.6, 203.0.113.5"], "203.0.113.5"),  # the client-made left part is ignored
        ("127.0.0.1", ["203.0.113.5, 10.1.1.1"], "203.0.113.5"),  # trusted hops are skipped
        ("127.0.0.1", ["garbage"], "127.0.0.1"),
        ("127.0.0.1", [], "127.0.0.1"),
    ],
)
def test_the_client_address_is_taken_from_trusted_proxies_only(peer: str, forwarded: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, LOOPBACK) == expected


def test_the_allowlist_applies_per_role() -> None:
    allowlist = {Role.ADMIN: [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]}
    assert ip_allowed("10.2.3.4", Role.ADMIN, allowlist)
    assert ip_allowed("2001:db8::1", Role.ADMIN, allowlist)
    assert not ip_allowed("192.0.2.1", Role.ADMIN, allowlist)
    assert not ip_allowed("not an ip", Role.ADMIN, allowlist)
    assert ip_allowed("192.0.2.1", Role.AGENT, allowlist)


def test_a_totp_code_matches_its_step_with_one_step_of_drift_and_never_an_older_step() -> None:
    secret = totp.new_secret()
    authenticator = pyotp.TOTP(secret)
    step = authenticator.timecode(T0)
    assert totp.matching_step(secret, authenticator.at(T0), now=T0, last_step=-1) == step
    assert totp.matching_step(secret, authenticator.at(T0, counter_offset=-1), now=T0, last_step=-1) == step - 1
    assert totp.matching_step(secret, authenticator.at(T0, counter_offset=1), now=T0, last_step=-1) == step + 1
    assert totp.matching_step(secret, authenticator.at(T0, counter_offset=2), now=T0, last_step=-1) is None
    assert totp.matching_step(secret, authenticator.at(T0), now=T0, last_step=step) is None  # replay
    assert totp.matching_step(secret, "12345", now=T0, last_step=-1) is None
    assert totp.matching_step(secret, "abcdef", now=T0, last_step=-1) is None


def test_enrolment_material_names_the_user_and_the_issuer() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", username="ana", issuer="Atende")
    assert uri.startswith("otpauth://totp/Atende:ana?")
    assert "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg")
    assert "script" not in svg


def test_recovery_codes_are_unique_and_digested_tolerantly() -> None:
    codes = credentials.new_recovery_codes()
    assert len(set(codes)) == 10
    code = codes[0]
    assert credentials.recovery_digest(code) == credentials.recovery_digest(code.upper().replace("-", " "))
    assert credentials.recovery_digest(code) != credentials.recovery_digest(codes[1])
    assert code not in credentials.recovery_digest(code)


def test_passwords_verify_rehash_and_refuse_unknown_users() -> None:
    cheap = Passwords(Argon2Parameters(time_cost=1, memory_cost_kib=8192, parallelism=1))
    stored = cheap.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert cheap.verify(stored, "correct horse battery staple")
    assert not cheap.verify(stored, "wrong")
    assert not cheap.verify(None, "atende-dummy-password-never-valid")  # the dummy never logs anyone in
    assert not cheap.verify("not a hash", "x")
    assert not cheap.needs_rehash(stored)
    assert Passwords(Argon2Parameters(time_cost=2, memory_cost_kib=8192, parallelism=1)).needs_rehash(stored)


def test_password_policy() -> None:
    assert password_problem("short", min_length=12, username="ana") is not None
    assert password_problem("ana.souza.123", min_length=8, username="Ana.Souza.123") is not None
    assert password_problem("correct horse battery", min_length=12, username="ana") is None


def test_the_secret_box_binds_ciphertexts_to_key_and_context() -> None:
    box = AesGcmSecretBox("k" * 32)
    sealed = box.encrypt(b"JBSWY3DPEHPK3PXP", context="totp:u1")
    assert b"JBSWY3DPEHPK3PXP" not in sealed
    assert box.decrypt(sealed, context="totp:u1") == b"JBSWY3DPEHPK3PXP"
    assert box.encrypt(b"x", context="c") != box.encrypt(b"x", context="c")  # fresh nonce each time
    with pytest.raises(UndecryptableSecret):
        box.decrypt(sealed, context="totp:u2")
    with pytest.raises(UndecryptableSecret):
        AesGcmSecretBox("other" * 8).decrypt(sealed, context="totp:u1")
    with pytest.raises(UndecryptableSecret):
        box.decrypt(b"\x02" + sealed[1:], context="totp:u1")


async def test_the_first_key_signs_at_once_on_the_real_clock() -> None:
    from atende_auth.domain.clock import SystemClock
    from atende_auth.use_cases.keyring import KeyRing

    class MemoryKeys:
        def __init__(self) -> None:
            self.keys: list[keys.SigningKey] = []

        async def all(self) -> list[keys.SigningKey]:
            return list(self.keys)

        async def add(self, key: keys.SigningKey) -> None:
            self.keys.append(key)

        async def remove(self, kids: object) -> None:
            self.keys = [k for k in self.keys if k.kid not in kids]  # type: ignore[operator]

    store = MemoryKeys()
    ring = KeyRing(store, clock=SystemClock(), token_ttl_s=600, rotation_interval_s=86400, activation_delay_s=30)
    first = await ring.signing_key()
    assert [k.kid for k in store.keys] == [first.kid]
    assert await ring.signing_key() == first


async def test_the_ring_rotates_after_the_interval_and_signs_with_the_new_key_once_active() -> None:
    from atende_auth.domain.clock import MovableClock
    from atende_auth.use_cases.keyring import KeyRing

    class MemoryKeys:
        def __init__(self) -> None:
            self.keys: list[keys.SigningKey] = []

        async def all(self) -> list[keys.SigningKey]:
            return list(self.keys)

        async def add(self, key: keys.SigningKey) -> None:
            self.keys.append(key)

        async def remove(self, kids: object) -> None:
            self.keys = [k for k in self.keys if k.kid not in kids]  # type: ignore[operator]

    clock = MovableClock(T0)
    store = MemoryKeys()
    ring = KeyRing(store, clock=clock, token_ttl_s=600, rotation_interval_s=3600, activation_delay_s=30)
    first = await ring.signing_key()
    clock.advance(3600)
    assert await ring.signing_key() == first  # the successor is made, pending
    assert len(store.keys) == 2
    assert {k["kid"] for k in (await ring.jwks())["keys"]} == {k.kid for k in store.keys}
    clock.advance(30)
    second = await ring.signing_key()
    assert second != first
    clock.advance(600 + CLOCK_LEEWAY_S)
    assert [k["kid"] for k in (await ring.jwks())["keys"]] == [second.kid]
    await ring.rotate()  # a rotation removes keys nobody needs any more
    assert first.kid not in {k.kid for k in store.keys}
