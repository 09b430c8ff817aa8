"""The console in a real browser: Debian's chromium driven by Playwright, against the whole platform
of tests/e2e (simulators, gateway, connector, conversation, NLU, SGP adapter) plus the real auth
service, whose users log in with their TOTP codes. One platform and one browser serve a whole test
module (a few minutes at most): each test uses its own customers.

`make test` installs chromium (scripts/infra.py chromium) and exports its path as ATENDE_CHROMIUM.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from atende_auth.app import create_app as auth_app
from atende_auth.settings import AuthSettings
from atende_core.stores import mongo_client
from atende_testing import INTERNAL_TOKEN, running_server
from atende_testing.plugin import delete_topics
from tests.e2e.conftest import Platform, running_platform
from tests.e2e.test_operator_login import ADMIN_PASSWORD, CHEAP_ARGON2, create_admin

ROOT = Path(__file__).resolve().parents[2]
# `make screenshots` points this at docs/screenshots (the README's); a test run leaves tracked files alone.
SCREENSHOTS = Path(os.environ.get("ATENDE_SCREENSHOTS_DIR") or ROOT / ".run" / "screenshots")
LAPTOP = {"width": 1366, "height": 860}
# Streams end every few seconds, so the console's reconnection on `reauth` runs in every test.
STREAM_MAX_S = 6
# Settings of the platform, as environment variables; those of branches merged later are ignored until
# then: handoffs wait in the shared queue (each test claims its own), metrics are never cached, the
# simulator has templates.
# A wait turns "warning" after SLA_WARNING_S (and never "breached" here).
SLA_WARNING_S = 15
# Access tokens live ACCESS_TTL_S (auth's minimum): every page that stays open refreshes its session.
ACCESS_TTL_S = 30
ENVIRONMENT = {
    "AUTH_ACCESS_TTL_S": str(ACCESS_TTL_S),
    "CONSOLE_STREAM_MAX_S": str(STREAM_MAX_S),
    "CONSOLE_SLA_WARNING_S": str(SLA_WARNING_S),
    "CONSOLE_SLA_BREACH_S": "3600",
    "CONSOLE_AUTO_ASSIGN": "false",
    "CONSOLE_METRICS_CACHE_S": "0",
    "WHATSAPP_SIM_SAMPLE_TEMPLATES": "true",
}
# Records the console's notifications (Playwright's init scripts run outside the page's CSP).
RECORD_NOTIFICATIONS = """
window.__notifications = [];
if (window.Notification) {
  const Original = window.Notification;
  window.Notification = class extends Original {
    constructor(title, options) { super(title, options); window.__notifications.push(title); }
  };
  Object.defineProperty(window.Notification, "permission", { get: () => Original.permission });
  window.Notification.requestPermission = (...args) => Original.requestPermission(...args);
}
"""
PHONE = {"width": 390, "height": 844}


def chromium() -> str:
    """The browser binary: ATENDE_CHROMIUM (set by make test), else chromium on PATH."""
    found = os.environ.get("ATENDE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed: run the tests through `make test` (python3 scripts/infra.py chromium)")
    return found


@dataclass
class Operator:
    """A user of the console, with the TOTP secret of their authenticator app."""

    username: str
    password: str
    role: str
    secret: str = ""
    user_id: str = ""
    _last_step: int = field(default=0, repr=False)

    async def code(self) -> str:
        """A TOTP code auth has not seen yet (it refuses a step twice): wait for the next step if needed."""
        totp = pyotp.TOTP(self.secret)
        while True:
            current = _step()
            step = max(self._last_step + 1, current - 1)
            if step <= current + 1:
                self._last_step = step
                return str(totp.generate_otp(step))
            await asyncio.sleep(1)


def _step() -> int:
    return int(time.time() // 30)


async def access_token(gateway: str, operator: Operator) -> str:
    """An access token of `operator` straight from auth (for API assertions beside the browser)."""
    body = {"username": operator.username, "password": operator.password}
    if operator.secret:
        body["otp"] = await operator.code()
    async with httpx.AsyncClient(base_url=gateway) as client:
        answer = await client.post("/auth/login", json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@dataclass
class Console:
    """The running platform, its operators and the browser."""

    platform: Platform
    browser: Browser
    feedback: Path
    operators: dict[str, Operator]
    api_paths: set[str]
    connections: dict[str, Any]

    async def login(self, who: str, *, viewport: dict[str, int] = LAPTOP) -> Page:
        """A new browser context logged in through the console's login form (password and TOTP code)."""
        operator = self.operators[who]
        context = await self.browser.new_context(viewport=viewport, locale="pt-BR", timezone_id="America/Sao_Paulo")
        await context.grant_permissions(["notifications"], origin=self.platform.gateway)
        await context.add_init_script(RECORD_NOTIFICATIONS)
        page = await context.new_page()
        page.set_default_timeout(20_000)
        await page.goto(f"{self.platform.gateway}/console/")
        await page.get_by_label("Usuário").fill(operator.username)
        await page.get_by_label("Senha").fill(operator.password)
        if operator.secret:
            await page.get_by_label("Código de verificação (2FA)").fill(await operator.code())
        await page.get_by_role("button", name="Entrar").click()
        await page.get_by_role("heading", name="Atendimentos").wait_for()
        return page

    async def token(self, who: str) -> str:
        """An access token of `who` (a new session)."""
        return await access_token(self.platform.gateway, self.operators[who])


async def _enrol(gateway: httpx.AsyncClient, bearer: str) -> str:
    """Enrol TOTP with an enrolment or access token; the secret of the authenticator app."""
    headers = {"Authorization": f"Bearer {bearer}"}
    secret = str((await gateway.post("/auth/2fa/enrol", headers=headers)).json()["secret"])
    totp = pyotp.TOTP(secret)
    # The step before now: the browser's login then has the current and the next step free.
    confirmed = await gateway.post("/auth/2fa/confirm", headers=headers, json={"otp": totp.at(time.time() - 30)})
    assert confirmed.status_code == 200, confirmed.text
    return secret


async def _operators(gateway: httpx.AsyncClient, env: dict[str, str], tmp: Path) -> dict[str, Operator]:
    """root (admin, created by the CLI) enrols TOTP at first login; it creates the others; the agents
    and the supervisor enrol TOTP too, so the console's login always asks for a code but the viewer's."""
    await create_admin(env, tmp)
    first = (await gateway.post("/auth/login", json={"username": "root", "password": ADMIN_PASSWORD})).json()
    root = Operator("root", ADMIN_PASSWORD, "admin", secret=await _enrol(gateway, first["enrolment_token"]))
    root.user_id = first["user"]["id"]
    root._last_step = _step() - 1
    login = await gateway.post(
        "/auth/login", json={"username": "root", "password": ADMIN_PASSWORD, "otp": await root.code()}
    )
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    operators = {"root": root}
    for username, role in (("ana", "agent"), ("bia", "agent"), ("sara", "supervisor"), ("vera", "viewer")):
        password = f"{username}-password-123"
        body = {"username": username, "name": username.title(), "role": role, "password": password}
        created = await gateway.post("/auth/users", headers=admin, json=body)
        assert created.status_code == 201, created.text
        operator = Operator(username, password, role, user_id=created.json()["id"])
        answer = (await gateway.post("/auth/login", json={"username": username, "password": password})).json()
        if role != "viewer":
            operator.secret = await _enrol(gateway, answer.get("enrolment_token") or answer["access_token"])
            operator._last_step = _step() - 1
        operators[username] = operator
    # A supervisor who has never logged in: the console walks her through TOTP enrolment.
    body = {"username": "lia", "name": "Lia", "role": "supervisor", "password": "lia-password-123"}
    created = await gateway.post("/auth/users", headers=admin, json=body)
    assert created.status_code == 201, created.text
    operators["lia"] = Operator("lia", "lia-password-123", "supervisor", user_id=created.json()["id"])
    return operators


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def console(
    kafka_bootstrap_servers: str, redis_url: str, mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Console]:
    """The platform, the auth service, the operators and a headless chromium, for one test module."""
    prefix = f"t{uuid.uuid4().hex[:10]}."
    database = f"test_{uuid.uuid4().hex[:12]}"
    tmp = tmp_path_factory.mktemp("console")
    connections = {
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "kafka_topic_prefix": prefix,
        "redis_url": redis_url,
        "mongodb_uri": mongodb_uri,
        "mongodb_database": database,
        "internal_api_token": INTERNAL_TOKEN,
    }
    env = {key.upper(): str(value) for key, value in {"environment": "test", **connections, **CHEAP_ARGON2}.items()}
    mongo = mongo_client(mongodb_uri)
    saved = {name: os.environ.get(name) for name in ENVIRONMENT}
    os.environ.update(ENVIRONMENT)
    try:
        auth_settings = AuthSettings(**connections, **CHEAP_ARGON2, auth_key_activation_delay_s=0)
        async with (
            running_server(auth_app(auth_settings)) as auth_url,
            running_platform(
                {**connections, "bus_retry_backoff_seconds": 0.05}, auth_url=auth_url, feedback=tmp / "feedback.jsonl"
            ) as platform,
            httpx.AsyncClient(base_url=platform.gateway, timeout=30) as gateway,
            async_playwright() as playwright,
        ):
            operators = await _operators(gateway, env, tmp)
            admin = {"Authorization": f"Bearer {await access_token(platform.gateway, operators['root'])}"}
            paths = set((await gateway.get("/openapi.json", headers=admin)).json()["paths"])
            browser = await playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            try:
                yield Console(platform, browser, tmp / "feedback.jsonl", operators, paths, connections)
            finally:
                await browser.close()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        await mongo.drop_database(database)
        await mongo.close()
        await delete_topics(kafka_bootstrap_servers, prefix)


async def screenshot(page: Page, name: str) -> None:
    """Save <name>.png under SCREENSHOTS (`make screenshots`: docs/screenshots, which the README shows)."""
    await asyncio.to_thread(SCREENSHOTS.mkdir, parents=True, exist_ok=True)
    await page.evaluate("document.getElementById('toast').classList.remove('show')")
    await page.wait_for_timeout(300)  # the toast's fade
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


async def serious_accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    violations = results.response["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
