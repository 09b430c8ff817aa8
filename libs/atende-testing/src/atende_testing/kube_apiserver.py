"""A real Kubernetes API server for chart tests: etcd and kube-apiserver as processes on loopback ports.

No controller manager, scheduler or kubelet run: nothing is scheduled and no Job runs (JobController
ends them as the real one would, so helm's hooks finish), but every object is admitted or refused as a
cluster's API server does (schemas, strict field validation, Pod Security admission, CRD validation,
helm's three-way merges). Both binaries are built from their
Go modules into the tool cache by `scripts/infra.py kube-apiserver` (10-20 minutes the first time).
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from atende_testing.repo import infra_script
from atende_testing.servers import free_port

KUBERNETES_VERSION = "v1.37.2"
ETCD_VERSION = "v3.6.16"
TOKEN = "atende-chart-test-token"  # noqa: S105 - a loopback test server's static token
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ApiServer:
    url: str
    kubeconfig: Path
    client: httpx.Client  # authenticated as a cluster admin; the server's certificate is self-signed


def admin_client(url: str) -> httpx.Client:
    """A cluster admin's client (one per thread); the loopback server's certificate is self-signed."""
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, verify=False, timeout=30)  # noqa: S501 - see above


def binaries() -> tuple[Path, Path] | None:
    """kube-apiserver and etcd from the tool cache, or None when they have not been built yet."""
    infra = infra_script()
    found = (infra.kube_apiserver_bin(KUBERNETES_VERSION), infra.etcd_bin(ETCD_VERSION))
    return found if all(path.exists() for path in found) else None


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"


def _service_account_keys(home: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private, public = home / "sa.key", home / "sa.pub"
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private, public


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def kube_apiserver(home: Path, apiserver_bin: Path, etcd_bin: Path) -> Iterator[ApiServer]:
    """Start etcd and kube-apiserver under `home`; yield once /readyz answers; always stop both."""
    home.mkdir(parents=True, exist_ok=True)
    etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
    private, public = _service_account_keys(home)
    (home / "tokens.csv").write_text(f"{TOKEN},admin,admin,system:masters\n")
    etcd_url = f"http://127.0.0.1:{etcd_port}"
    etcd_cmd = [str(etcd_bin), "--data-dir", str(home / "etcd"), "--listen-client-urls", etcd_url,
                "--advertise-client-urls", etcd_url, "--listen-peer-urls", f"http://127.0.0.1:{peer_port}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer_port}",
                "--initial-cluster", f"default=http://127.0.0.1:{peer_port}"]  # fmt: skip
    api_cmd = [str(apiserver_bin), f"--etcd-servers={etcd_url}", "--bind-address=127.0.0.1",
               "--advertise-address=127.0.0.1", f"--secure-port={api_port}", f"--cert-dir={home / 'certs'}",
               f"--token-auth-file={home / 'tokens.csv'}", "--authorization-mode=RBAC",
               "--service-account-issuer=https://kubernetes.default.svc", f"--service-account-key-file={public}",
               f"--service-account-signing-key-file={private}", "--service-cluster-ip-range=10.0.0.0/24",
               # The endpoints reconciler refuses a loopback address; nothing here needs the kubernetes Service.
               "--endpoint-reconciler-type=none"]  # fmt: skip
    url = f"https://127.0.0.1:{api_port}"
    started: list[subprocess.Popen[bytes]] = []
    try:
        for command, log in ((etcd_cmd, home / "etcd.log"), (api_cmd, home / "apiserver.log")):
            with log.open("wb") as out:
                started.append(subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))  # noqa: S603 - binaries we built, fixed arguments
        client = admin_client(url)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if client.get("/readyz").status_code == 200:
                    break
            if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                raise RuntimeError(f"kube-apiserver did not become ready:\n{_tail(home / 'apiserver.log')}")
            time.sleep(0.5)
        kubeconfig = home / "kubeconfig"
        kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
            f"clusters: [{{name: test, cluster: {{server: '{url}', insecure-skip-tls-verify: true}}}}]\n"
            f"users: [{{name: admin, user: {{token: {TOKEN}}}}}]\n"
            "contexts: [{name: test, context: {cluster: test, user: admin}}]\n"
        )
        try:
            yield ApiServer(url=url, kubeconfig=kubeconfig, client=client)
        finally:
            client.close()
    finally:
        for process in reversed(started):
            _stop(process)


@dataclass
class JobController:
    """Stands in for the Job controller (none runs here): ends every Job of `namespace` as if its pod had
    exited, so helm's hooks finish. `seen` records, for each Job, the Deployments' images at that moment:
    what the hook ran before."""

    server: ApiServer
    namespace: str
    succeed: bool = True
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @contextlib.contextmanager
    def running(self) -> Iterator[JobController]:
        stop = threading.Event()
        worker = threading.Thread(target=self._loop, args=(stop,), daemon=True)
        worker.start()
        try:
            yield self
        finally:
            stop.set()
            worker.join(timeout=10)

    def _loop(self, stop: threading.Event) -> None:
        with admin_client(self.server.url) as client:
            while not stop.wait(0.2):
                jobs = client.get(f"/apis/batch/v1/namespaces/{self.namespace}/jobs").json().get("items", [])
                for job in jobs:
                    if not (job.get("status") or {}).get("conditions"):
                        self.seen.append((job["metadata"]["name"], self._images(client)))
                        self._finish(client, job["metadata"]["name"])

    def _images(self, client: httpx.Client) -> dict[str, str]:
        deployments = client.get(f"/apis/apps/v1/namespaces/{self.namespace}/deployments").json()["items"]
        return {d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]["image"] for d in deployments}

    def _finish(self, client: httpx.Client, name: str) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        def condition(kind: str) -> dict[str, Any]:
            return {"type": kind, "status": "True", "lastTransitionTime": now, "lastProbeTime": now}

        if self.succeed:  # the API server requires the conditions the real controller sets, in its order
            status = {"startTime": now, "completionTime": now, "succeeded": 1,
                      "conditions": [condition("SuccessCriteriaMet"), condition("Complete")]}  # fmt: skip
        else:
            status = {"startTime": now, "failed": 1, "conditions": [condition("FailureTarget"), condition("Failed")]}
        patched = client.patch(
            f"/apis/batch/v1/namespaces/{self.namespace}/jobs/{name}/status",
            json={"status": status},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        patched.raise_for_status()
