#!/usr/bin/env python3
"""Local infrastructure for Atende as plain processes: Kafka (KRaft), Redis and FerretDB.

Usage:
    python3 scripts/infra.py install                       # fetch/build everything into the tool cache
    python3 scripts/infra.py up --dir .run/dev             # start on 9092 / 6379 / 27017
    python3 scripts/infra.py up --dir .run/test --free-ports [--fresh]
    python3 scripts/infra.py down --dir .run/dev
    python3 scripts/infra.py go-tool helm.sh/helm/v3/cmd/helm@v3.21.4   # build once, print the binary's path
    python3 scripts/infra.py kube-apiserver v1.37.2 v3.6.16                # kube-apiserver and etcd, likewise

`up` writes DIR/env (`export KAFKA_BOOTSTRAP_SERVERS=... REDIS_URL=... MONGODB_URI=...`) and
DIR/pids. A component whose variable is already set in the environment is not started; the given
value is passed through to DIR/env unchanged.

Standard library only: this runs before any virtualenv exists (Python 3.11).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Outside the clone, so every clone and CI run on the machine reuses one build per version:
# ATENDE_CACHE_DIR, else $XDG_CACHE_HOME/atende, else ~/.cache/atende.
CACHE = Path(
    os.environ.get("ATENDE_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "atende"
)
KAFKA_POM = REPO / "infra" / "kafka" / "pom.xml"
FERRETDB_SRC = REPO / "infra" / "ferretdb"

HOST = "127.0.0.1"  # loopback only, and an IP so clients never try ::1 first
DEFAULT_PORTS = {"kafka": 9092, "kafka-controller": 9093, "redis": 6379, "ferretdb": 27017}
ENV_VARS = {"kafka": "KAFKA_BOOTSTRAP_SERVERS", "redis": "REDIS_URL", "ferretdb": "MONGODB_URI"}
# A cold JVM on 2 cores needs a while; Redis and FerretDB are up in well under a second.
READY_TIMEOUT_S = {"kafka": 120.0, "redis": 20.0, "ferretdb": 60.0}
STOP_TIMEOUT_S = 20.0  # Kafka's controlled shutdown takes a few seconds; then SIGKILL.
LOG_TAIL_LINES = 15

KAFKA_JVM_OPTS = [
    # Small heap: the machine has 2 cores and also runs 8 services and the tests.
    "-Xms256m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
]

# The storage format tool runs for a second or two: start fast rather than run fast.
FORMAT_JVM_OPTS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"]


class InfraError(Exception):
    """A failure meant for a human: printed as one paragraph, never as a stack trace."""


@dataclass
class Started:
    """One background process started by `up`, recorded in DIR/pids for `down`."""

    name: str
    pid: int
    start_time: str  # /proc/<pid>/stat field 22; guards against a recycled pid


@dataclass
class Endpoints:
    kafka: int
    kafka_controller: int
    redis: int
    ferretdb: int


# --------------------------------------------------------------------------- small helpers


def say(message: str) -> None:
    print(f"infra: {message}", flush=True)


def redact(url: str) -> str:
    """Hide credentials in URLs before printing them."""
    return re.sub(r"//[^/@]*@", "//***@", url)


def run_quiet(cmd: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    """Run a build/install step; on failure show its output, which is the only useful diagnosis."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).strip().splitlines()
        tail = "\n".join("    " + line for line in output[-LOG_TAIL_LINES:])
        raise InfraError(f"{what} failed (exit {proc.returncode}): {shlex.join(cmd)}\n{tail}")


def sha256_of(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def install_lock() -> Iterator[None]:
    """Serialise installs: `make test` and `make dev` may both run `up` at the same moment."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise InfraError(f"`{name}` is not on PATH; {hint}")
    return path


def tail_of(log: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "    (no log written)"
    return "\n".join("    " + line for line in text[-lines:]) or "    (log is empty)"


# --------------------------------------------------------------------------- install


def kafka_version() -> str:
    """The pinned version lives in the pom only, so there is one place to bump it."""
    found = re.search(r"<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>", KAFKA_POM.read_text())
    if not found:
        raise InfraError(f"{KAFKA_POM} has no <kafka.version> property")
    return found.group(1)


def kafka_libs() -> Path:
    """One folder per version and pom content: clones with other poms never overwrite each other's."""
    return CACHE / "kafka" / f"{kafka_version()}-{sha256_of(KAFKA_POM)[:12]}" / "libs"


def install_kafka() -> Path:
    """Copy the Kafka jars from Maven into the cache, once per pom.xml content."""
    libs = kafka_libs()
    if libs.is_dir():
        return libs
    mvn = require_tool("mvn", "install Maven (apt-get install maven) to fetch the Kafka jars.")
    say(f"fetching Kafka {kafka_version()} jars with Maven (first time only)...")
    started = time.monotonic()
    tmp = libs.with_name("libs.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [
        mvn,
        "-q",
        "-B",
        "-Dstyle.color=never",
        "-f",
        str(KAFKA_POM),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={tmp}",
    ]
    run_quiet(cmd, "fetching the Kafka jars")
    # Swap in the complete folder only, so an interrupted copy never looks installed.
    shutil.rmtree(libs, ignore_errors=True)
    tmp.rename(libs)
    say(f"Kafka jars ready in {time.monotonic() - started:.1f}s: {libs}")
    return libs


def install_redis() -> str:
    """Use redis-server from PATH; otherwise install Debian's package (needs root)."""
    return apt_tool("redis-server", "redis-server", "or set REDIS_URL to an existing Redis")


def install_chromium() -> str:
    """Debian's chromium for the console's browser tests (Playwright's own browser download is not used),
    with an emoji font so the bot's messages look as they do on a phone in the screenshots."""
    return apt_tool("chromium", "chromium fonts-noto-color-emoji", "to run the console's browser tests")


def apt_tool(tool: str, packages: str, otherwise: str) -> str:
    """`tool` from PATH; otherwise install Debian's `packages` with apt-get (needs root)."""
    found = shutil.which(tool)
    if found:
        return found
    if os.geteuid() != 0:
        raise InfraError(f"{tool} is not installed; run `sudo apt-get install -y {packages}` {otherwise}.")
    say(f"installing Debian's {packages} with apt-get...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run_quiet(["apt-get", "update"], "apt-get update", env=env)
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages.split()]
    run_quiet(command, f"apt-get install {packages}", env=env)
    return require_tool(tool, f"apt-get installed {packages} but {tool} is still not on PATH.")


# FerretDB v1.24's SQLite backend filters `_id` with `->'$._id'` but indexes it as `->"_id"`: SQLite only
# uses an expression index for the same expression, so every lookup, update and upsert by _id scanned the
# whole collection (65 ms at 20,000 documents, growing with the transcript). The build uses a patched copy
# of the module in the tool cache (the same JSON key, spelled as the index spells it); the module cache is untouched.
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_PATCH = (
    "internal/backends/sqlite/metadata/metadata.go",
    "IDColumn = DefaultColumn + \"->'$._id'\"",
    "IDColumn = DefaultColumn + \"->'_id'\"",
)


def ferretdb_build_dir() -> Path:
    """One folder per content of infra/ferretdb and of the patch."""
    sources = [FERRETDB_SRC / name for name in ("main.go", "go.mod", "go.sum")]
    wanted = hashlib.sha256((sha256_of(*sources) + repr(FERRETDB_PATCH)).encode()).hexdigest()
    return CACHE / "ferretdb" / wanted[:16]


def ferretdb_bin() -> Path:
    return ferretdb_build_dir() / "ferretdb-embedded"


def ferretdb_patched_modfile(go: str, build: Path) -> Path:
    """Copy FerretDB's module, patch it, and write a go.mod that builds infra/ferretdb against the copy."""
    run_quiet([go, "mod", "download", FERRETDB_MODULE], "downloading FerretDB", cwd=FERRETDB_SRC)
    listed = subprocess.run(
        [go, "list", "-m", "-f", "{{.Dir}}", FERRETDB_MODULE], cwd=FERRETDB_SRC, capture_output=True, text=True
    )
    if listed.returncode != 0:
        raise InfraError(f"cannot locate {FERRETDB_MODULE}: {listed.stderr.strip()}")
    module = build / "module"
    shutil.rmtree(module, ignore_errors=True)
    shutil.copytree(listed.stdout.strip(), module, copy_function=shutil.copyfile)
    relative, old, new = FERRETDB_PATCH
    patched = module / relative
    text = patched.read_text()
    if old not in text:
        raise InfraError(f"the FerretDB patch no longer applies to {patched}: review FERRETDB_PATCH")
    patched.write_text(text.replace(old, new))
    modfile = build / "go.mod"
    modfile.write_text((FERRETDB_SRC / "go.mod").read_text() + f"\nreplace {FERRETDB_MODULE} => {module}\n")
    shutil.copyfile(FERRETDB_SRC / "go.sum", build / "go.sum")
    return modfile


def install_ferretdb() -> Path:
    """Build infra/ferretdb (FerretDB embedded via its Go package) once per content of its sources."""
    binary = ferretdb_bin()
    if binary.exists():
        return binary
    go = require_tool("go", "install Go >= 1.24 to build FerretDB, or set MONGODB_URI.")
    say("building FerretDB from its Go module (first build takes a few minutes)...")
    started = time.monotonic()
    build = binary.parent
    build.mkdir(parents=True, exist_ok=True)
    tmp = binary.with_name(binary.name + ".tmp")
    modfile = ferretdb_patched_modfile(go, build)
    # -buildvcs=false: the repo's git state is irrelevant to this binary and may be unreadable.
    run_quiet(
        [go, "build", "-trimpath", "-buildvcs=false", f"-modfile={modfile}", "-o", str(tmp), "."],
        "building FerretDB",
        cwd=FERRETDB_SRC,
    )
    tmp.replace(binary)  # only a complete build ever has the binary's name
    shutil.rmtree(build / "module", ignore_errors=True)
    say(f"FerretDB built in {time.monotonic() - started:.1f}s: {binary}")
    return binary


def go_tool_bin(package_at_version: str) -> Path:
    """Where `go-tool` keeps one Go command per version: CACHE/<command>/<version>/<command>."""
    package, _, version = package_at_version.partition("@")
    if not version or version == "latest":
        raise InfraError(f"{package_at_version}: name an exact version (package@vX.Y.Z), so every build is the same")
    parts = package.rstrip("/").split("/")
    # `go install` names a command after its path without a major-version suffix (.../vegeta/v12 -> vegeta).
    name = parts[-2] if len(parts) > 1 and re.fullmatch(r"v[0-9]+", parts[-1]) else parts[-1]
    return CACHE / name / version / name


def install_go_tool(package_at_version: str) -> Path:
    """Build a Go command from its module (`go install package@version`) once per version into the cache."""
    binary = go_tool_bin(package_at_version)
    if binary.exists():
        return binary
    with install_lock():
        if binary.exists():  # another process built it while we waited for the lock
            return binary
        go = require_tool("go", f"install Go >= 1.24 to build {binary.name}.")
        # Progress on stderr: stdout carries only the binary's path for the calling script.
        print(f"infra: building {package_at_version} (once per version, a few minutes)...", file=sys.stderr)
        started = time.monotonic()
        tmp = binary.parent.with_name(binary.parent.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        run_quiet(
            [go, "install", "-trimpath", "-buildvcs=false", package_at_version],
            f"building {package_at_version}",
            env={**os.environ, "GOBIN": str(tmp)},
        )
        shutil.rmtree(binary.parent, ignore_errors=True)
        tmp.rename(binary.parent)  # only a complete build ever has the version's folder name
        print(f"infra: {binary.name} built in {time.monotonic() - started:.1f}s: {binary}", file=sys.stderr)
    return binary


def install_go_program(
    package_at_version: str, *, name: str, replaces: tuple[str, ...] = (), ldflags: str = ""
) -> Path:
    """Build a Go command inside a scratch module, once per version into the cache: for a module whose own
    go.mod has replace directives, which `go install package@version` refuses (`replaces` stand in)."""
    package, _, version = package_at_version.partition("@")
    if not version.startswith("v"):
        raise InfraError(f"{package_at_version}: name an exact version (package@vX.Y.Z)")
    binary = CACHE / name / version / name
    if binary.exists():
        return binary
    with install_lock():
        if binary.exists():
            return binary
        go = require_tool("go", f"install Go >= 1.24 to build {name}.")
        print(
            f"infra: building {package_at_version} (once per version; kube-apiserver takes 10-20 minutes)",
            file=sys.stderr,
        )
        started = time.monotonic()
        tmp = binary.parent.with_name(version + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        (tmp / "go.mod").write_text("module scratch\n\ngo 1.24\n\n" + "".join(f"replace {r}\n" for r in replaces))
        run_quiet([go, "get", package_at_version], f"resolving {package_at_version}", cwd=tmp)
        build = [go, "build", "-trimpath", "-buildvcs=false", f"-ldflags={ldflags}", "-o", str(tmp / name), package]
        run_quiet(build, f"building {package_at_version}", cwd=tmp)
        for scratch in ("go.mod", "go.sum"):
            (tmp / scratch).unlink()
        shutil.rmtree(binary.parent, ignore_errors=True)
        tmp.rename(binary.parent)
        print(f"infra: {name} built in {time.monotonic() - started:.1f}s: {binary}", file=sys.stderr)
    return binary


def kubernetes_staging_replaces(version: str) -> tuple[str, ...]:
    """k8s.io/kubernetes replaces its staging modules (k8s.io/api, ...) by folders that its module zip
    leaves out; the same code is published as those modules' v0.<minor>.<patch>."""
    go = require_tool("go", "install Go >= 1.24 to build kube-apiserver.")
    found = subprocess.run(
        [go, "mod", "download", "-json", f"k8s.io/kubernetes@{version}"], capture_output=True, text=True, cwd=CACHE
    )
    info = json.loads(found.stdout or "{}")
    if not info.get("GoMod"):
        raise InfraError(f"cannot download k8s.io/kubernetes@{version}: {info.get('Error') or found.stderr.strip()}")
    staged = re.findall(r"^\s*(k8s\.io/[\w.-]+) => \./staging/", Path(info["GoMod"]).read_text(), re.MULTILINE)
    published = "v0." + version.removeprefix("v1.")
    return tuple(f"{module} => {module} {published}" for module in staged)


def kube_apiserver_bin(version: str) -> Path:
    return CACHE / "kube-apiserver" / version / "kube-apiserver"


def etcd_bin(version: str) -> Path:
    return CACHE / "etcd" / version / "etcd"


def install_kube_apiserver(version: str, etcd_version: str) -> tuple[Path, Path]:
    """kube-apiserver (reporting its own version, as helm's kubeVersion checks read it) and etcd."""
    etcd = install_go_program(f"go.etcd.io/etcd/server/v3@{etcd_version}", name="etcd")
    if kube_apiserver_bin(version).exists():
        return kube_apiserver_bin(version), etcd
    minor = version.split(".")[1]
    stamp = "k8s.io/component-base/version"
    ldflags = f"-X {stamp}.gitVersion={version} -X {stamp}.gitMajor=1 -X {stamp}.gitMinor={minor}"
    package = f"k8s.io/kubernetes/cmd/kube-apiserver@{version}"
    CACHE.mkdir(parents=True, exist_ok=True)
    apiserver = install_go_program(
        package, name="kube-apiserver", replaces=kubernetes_staging_replaces(version), ldflags=ldflags
    )
    return apiserver, etcd


def install(components: set[str]) -> None:
    with install_lock():
        if "kafka" in components:
            require_tool("java", "install a Java 17+ runtime to run Kafka.")
            install_kafka()
        if "redis" in components:
            install_redis()
        if "ferretdb" in components:
            install_ferretdb()


# --------------------------------------------------------------------------- readiness probes


def recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def kafka_request(sock: socket.socket, api_key: int, version: int, body: bytes) -> bytes:
    """One request with a v1 header (non-flexible versions only); returns the body after correlation id."""
    client_id = b"atende-infra"
    header = struct.pack(">hhih", api_key, version, 7, len(client_id)) + client_id
    message = header + body
    sock.sendall(struct.pack(">i", len(message)) + message)
    (size,) = struct.unpack(">i", recv_exact(sock, 4))
    response = recv_exact(sock, size)
    return response[4:]


def kafka_ready(port: int) -> bool:
    """ApiVersions v0, then Metadata v4 must list a broker: only then can clients produce."""
    with socket.create_connection((HOST, port), timeout=2) as sock:
        api = kafka_request(sock, api_key=18, version=0, body=b"")
        (error,) = struct.unpack(">h", api[:2])
        if error != 0:
            return False
        # Metadata v4: topics = [] (none, keeps it cheap), allow_auto_topic_creation = false.
        meta = kafka_request(sock, api_key=3, version=4, body=struct.pack(">ib", 0, 0))
        brokers: int = struct.unpack(">ii", meta[:8])[1]
        return brokers >= 1


def redis_ready(port: int) -> bool:
    with socket.create_connection((HOST, port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        return recv_exact(sock, 5) == b"+PONG"


def bson_document(fields: dict[str, int | str]) -> bytes:
    """Just enough BSON (int32 and string) to send a command."""
    body = b""
    for key, value in fields.items():
        name = key.encode() + b"\0"
        if isinstance(value, int):
            body += b"\x10" + name + struct.pack("<i", value)
        else:
            raw = value.encode() + b"\0"
            body += b"\x02" + name + struct.pack("<i", len(raw)) + raw
    return struct.pack("<i", len(body) + 5) + body + b"\0"


# Fixed-size BSON types: double, ObjectId, bool, datetime, null, int32, timestamp, int64, decimal128.
BSON_FIXED = {0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0A: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16}


def bson_ok(doc: bytes) -> bool:
    """Walk the top level of a reply document and report whether its `ok` field is 1."""
    pos = 4
    while pos < len(doc) - 1:
        kind = doc[pos]
        end = doc.index(b"\0", pos + 1)
        name = doc[pos + 1 : end]
        pos = end + 1
        if name == b"ok":
            if kind == 0x01:
                return bool(struct.unpack("<d", doc[pos : pos + 8])[0] == 1.0)
            if kind == 0x10:
                return bool(struct.unpack("<i", doc[pos : pos + 4])[0] == 1)
            return False
        if kind in BSON_FIXED:
            pos += BSON_FIXED[kind]
        elif kind in (0x02, 0x0D, 0x0E):  # string-like: int32 length + bytes
            pos += 4 + struct.unpack("<i", doc[pos : pos + 4])[0]
        elif kind in (0x03, 0x04):  # embedded document / array
            pos += struct.unpack("<i", doc[pos : pos + 4])[0]
        elif kind == 0x05:  # binary: int32 length + subtype + bytes
            pos += 5 + struct.unpack("<i", doc[pos : pos + 4])[0]
        else:
            return False
    return False


def mongo_ready(port: int) -> bool:
    """OP_MSG `ping` on admin: the wire protocol and the SQLite backend both answer."""
    doc = bson_document({"ping": 1, "$db": "admin"})
    payload = struct.pack("<I", 0) + b"\x00" + doc  # flagBits, section kind 0 (body)
    header = struct.pack("<iiii", 16 + len(payload), 1, 0, 2013)  # 2013 = OP_MSG
    with socket.create_connection((HOST, port), timeout=2) as sock:
        sock.sendall(header + payload)
        length, _req, _resp, opcode = struct.unpack("<iiii", recv_exact(sock, 16))
        reply = recv_exact(sock, length - 16)
    return opcode == 2013 and reply[4] == 0 and bson_ok(reply[5:])


PROBES: dict[str, Callable[[int], bool]] = {"kafka": kafka_ready, "redis": redis_ready, "ferretdb": mongo_ready}


# --------------------------------------------------------------------------- processes


def proc_stat(pid: int) -> tuple[str, int, str] | None:
    """(state, process group, start time) of a pid, or None when it does not exist."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[2]), fields[19]


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group: what must be gone after `down`."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat and stat[1] == pgid and stat[0] != "Z":
                members.append(int(entry.name))
    return members


def is_ours_and_alive(item: Started) -> bool:
    stat = proc_stat(item.pid)
    return stat is not None and stat[0] != "Z" and stat[2] == item.start_time


def read_pids(run_dir: Path) -> list[Started]:
    path = run_dir / "pids"
    if not path.exists():
        return []
    items = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            items.append(Started(parts[0], int(parts[1]), parts[2]))
    return items


def record_pid(run_dir: Path, item: Started) -> None:
    # Appended right after each start, so `down` finds it even if `up` dies half way.
    with (run_dir / "pids").open("a") as handle:
        handle.write(f"{item.name} {item.pid} {item.start_time}\n")


def spawn(name: str, cmd: list[str], run_dir: Path, log: Path) -> Started:
    """Start a background process in its own session (process group), output to its log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    if log.exists():
        log.replace(log.with_name(log.name + ".1"))  # keep the previous run's log for comparison
    with log.open("wb") as out:
        # A new session: Ctrl-C in the terminal does not hit it, and `down` can kill the whole group.
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=run_dir, start_new_session=True
        )
    stat = proc_stat(proc.pid)
    item = Started(name, proc.pid, stat[2] if stat else "0")
    record_pid(run_dir, item)
    return item


def stop_all(run_dir: Path) -> list[str]:
    """SIGTERM every recorded process group, wait, SIGKILL leftovers; returns what was stopped."""
    items = read_pids(run_dir)
    groups: dict[str, int] = {}
    for item in items:
        stat = proc_stat(item.pid)
        if stat is not None and stat[2] != item.start_time:
            continue  # the pid now belongs to someone else: never signal it
        if group_members(item.pid):
            groups[item.name] = item.pid
    for pgid in groups.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline and any(group_members(g) for g in groups.values()):
        time.sleep(0.2)
    for name, pgid in groups.items():
        if group_members(pgid):
            say(f"{name} did not stop within {STOP_TIMEOUT_S:.0f}s after SIGTERM; sending SIGKILL")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and any(group_members(g) for g in groups.values()):
        time.sleep(0.1)
    left = {name: group_members(pgid) for name, pgid in groups.items() if group_members(pgid)}
    if left:
        raise InfraError(f"processes survived SIGKILL (stuck in the kernel?): {left}")
    for stale in ("pids", "env"):
        (run_dir / stale).unlink(missing_ok=True)
    return list(groups)


def wait_ready(item: Started, port: int, log: Path) -> float:
    """Poll the component's real protocol until it answers; fail fast if the process exits."""
    started = time.monotonic()
    timeout = READY_TIMEOUT_S[item.name]
    probe = PROBES[item.name]
    while True:
        try:
            if probe(port):
                return time.monotonic() - started
        except (OSError, ValueError, IndexError, struct.error):
            pass  # not listening yet, or answering half-initialised
        if not is_ours_and_alive(item):
            reason = "its process exited before it answered"
            break
        if time.monotonic() - started > timeout:
            reason = f"it did not answer on {HOST}:{port} within {timeout:.0f}s"
            break
        time.sleep(0.25)
    raise InfraError(f"{item.name} failed to start: {reason}. Log: {log}\n  last lines of the log:\n{tail_of(log)}")


# --------------------------------------------------------------------------- components


def kafka_cluster_id() -> str:
    """A Kafka-style UUID (base64url, no padding); a leading '-' would read as a CLI flag."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


# What every single-node test or development broker needs, whatever its listeners (also used by the
# TLS test broker in atende_testing.kafka_tls).
SINGLE_NODE_BROKER = """\
# Single node: every replication factor and ISR is 1.
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumers in tests join immediately instead of waiting 3s for more members.
group.initial.rebalance.delay.ms=0
num.recovery.threads.per.data.dir=1
"""


def write_kafka_config(home: Path, ports: Endpoints) -> tuple[Path, Path]:
    home.mkdir(parents=True, exist_ok=True)
    data = home / "data"
    # Static voter list (not --standalone): the voter endpoint is not stored in the log,
    # so a later `up --free-ports` may pick other ports and reuse the same storage.
    server = f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{HOST}:{ports.kafka_controller}
listeners=PLAINTEXT://{HOST}:{ports.kafka},CONTROLLER://{HOST}:{ports.kafka_controller}
advertised.listeners=PLAINTEXT://{HOST}:{ports.kafka}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs={data}
{SINGLE_NODE_BROKER}\
# 2 cores: fewer threads than the defaults.
num.network.threads=2
num.io.threads=4
background.threads=4
log.retention.hours=24
"""
    # shutdownHook=disable: otherwise log4j stops first and Kafka's own shutdown goes unlogged.
    log4j = """\
status = warn
shutdownHook = disable
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""
    (home / "server.properties").write_text(server)
    (home / "log4j2.properties").write_text(log4j)
    return home / "server.properties", home / "log4j2.properties"


def start_kafka(run_dir: Path, ports: Endpoints) -> Started:
    libs = kafka_libs()
    home = run_dir / "kafka"
    server, log4j = write_kafka_config(home, ports)
    java = require_tool("java", "install a Java 17+ runtime to run Kafka.")
    common = [f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{libs}/*"]
    if not (home / "data" / "meta.properties").exists():
        # Storage is formatted once per DIR; later runs reuse topics and offsets.
        started = time.monotonic()
        run_quiet(
            [
                java,
                *FORMAT_JVM_OPTS,
                *common,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                kafka_cluster_id(),
                "-c",
                str(server),
                "--ignore-formatted",
            ],
            "formatting Kafka storage",
        )
        say(f"kafka    storage formatted in {time.monotonic() - started:.1f}s")
    cmd = [java, *KAFKA_JVM_OPTS, *common, "kafka.Kafka", str(server)]
    return spawn("kafka", cmd, run_dir, run_dir / "logs" / "kafka.log")


def start_redis(run_dir: Path, ports: Endpoints) -> Started:
    data = run_dir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    cmd = [
        install_redis(),
        "--port",
        str(ports.redis),
        "--bind",
        HOST,
        "--dir",
        str(data),
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--logfile",
        "",
    ]
    return spawn("redis", cmd, run_dir, run_dir / "logs" / "redis.log")


def start_ferretdb(run_dir: Path, ports: Endpoints) -> Started:
    cmd = [str(ferretdb_bin()), "-listen-addr", f"{HOST}:{ports.ferretdb}", "-sqlite-dir", str(run_dir / "ferretdb")]
    return spawn("ferretdb", cmd, run_dir, run_dir / "logs" / "ferretdb.log")


STARTERS: dict[str, Callable[[Path, Endpoints], Started]] = {
    "kafka": start_kafka,
    "redis": start_redis,
    "ferretdb": start_ferretdb,
}


def env_value(name: str, ports: Endpoints) -> str:
    if name == "kafka":
        return f"{HOST}:{ports.kafka}"
    if name == "redis":
        return f"redis://{HOST}:{ports.redis}/0"
    return f"mongodb://{HOST}:{ports.ferretdb}/"


# --------------------------------------------------------------------------- ports


def port_is_free(port: int) -> bool:
    """Whether a server could listen on `port` now. SO_REUSEADDR, as Kafka, Redis and FerretDB bind:
    connections of a run stopped a moment ago, still in TIME_WAIT, must not make the port look taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def choose_ports(free: bool, wanted: set[str]) -> Endpoints:
    """Fixed well-known ports for `make dev`; ephemeral ones so `make test` can run beside it."""
    if not free:
        needed = {n: p for n, p in DEFAULT_PORTS.items() if n.split("-")[0] in wanted}
        for name, port in needed.items():
            if not port_is_free(port):
                raise InfraError(
                    f"{name} cannot start: port {port} on {HOST} is already in use "
                    f"(another `make dev`? stop it with `python3 scripts/infra.py down --dir DIR`, "
                    f"or use --free-ports, or set {ENV_VARS[name.split('-')[0]]})."
                )
        return Endpoints(*DEFAULT_PORTS.values())
    # Hold every socket until all are chosen so the kernel cannot hand out the same port twice.
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in DEFAULT_PORTS]
    try:
        for sock in socks:
            sock.bind((HOST, 0))
        return Endpoints(*(sock.getsockname()[1] for sock in socks))
    finally:
        for sock in socks:
            sock.close()


# --------------------------------------------------------------------------- commands


def write_env(run_dir: Path, values: dict[str, str]) -> Path:
    lines = [f"export {ENV_VARS[name]}={shlex.quote(value)}\n" for name, value in values.items()]
    path = run_dir / "env"
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(lines))
    tmp.replace(path)
    return path


def cmd_up(run_dir: Path, free_ports: bool, fresh: bool) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    previous = read_pids(run_dir)
    if previous and all(is_ours_and_alive(item) for item in previous) and (run_dir / "env").exists():
        say(f"already running in {run_dir} (pids {' '.join(str(i.pid) for i in previous)}); env: {run_dir / 'env'}")
        return
    stop_all(run_dir)  # leftovers of a crashed or partial run
    if fresh:
        for sub in ("kafka", "redis", "ferretdb"):
            shutil.rmtree(run_dir / sub, ignore_errors=True)

    external = {name: os.environ[var] for name, var in ENV_VARS.items() if os.environ.get(var)}
    wanted = {name for name in ENV_VARS if name not in external}
    for name, value in external.items():
        say(f"{name}: using {ENV_VARS[name]}={redact(value)} from the environment (not started)")
    install(wanted)
    ports = choose_ports(free_ports, wanted)

    values = dict(external)
    started: list[tuple[Started, int]] = []
    try:
        # Start everything first, then wait: the slow JVM start overlaps the others.
        for name in ENV_VARS:
            if name in wanted:
                item = STARTERS[name](run_dir, ports)
                started.append((item, getattr(ports, name)))
        for item, port in started:
            seconds = wait_ready(item, port, run_dir / "logs" / f"{item.name}.log")
            values[item.name] = env_value(item.name, ports)
            say(
                f"{item.name:<8} ready in {seconds:4.1f}s  {values[item.name]:<28} "
                f"log: {run_dir / 'logs' / (item.name + '.log')}"
            )
    except BaseException:
        # A second Ctrl-C must not abort the cleanup: never leave half an environment running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all(run_dir)
        raise
    ordered = {name: values[name] for name in ENV_VARS}
    say(f"env written to {write_env(run_dir, ordered)} (use: . {run_dir / 'env'})")


def cmd_down(run_dir: Path) -> None:
    stopped = stop_all(run_dir)
    say(f"stopped {', '.join(stopped)} in {run_dir}" if stopped else f"nothing running in {run_dir}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="infra.py", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="install if needed, start, wait until ready, write DIR/env and DIR/pids")
    up.add_argument("--dir", required=True, type=Path, help="data and logs folder, e.g. .run/dev")
    up.add_argument("--free-ports", action="store_true", help="use free ephemeral ports instead of the defaults")
    up.add_argument("--fresh", action="store_true", help="delete previous data in DIR before starting")
    down = sub.add_parser("down", help="stop what `up` started in DIR (idempotent)")
    down.add_argument("--dir", required=True, type=Path)
    sub.add_parser("install", help="only fetch/build Kafka, Redis and FerretDB into the tool cache")
    tool = sub.add_parser("go-tool", help="build a Go command once per version into the tool cache; print its path")
    tool.add_argument("package", help="package@version, e.g. helm.sh/helm/v3/cmd/helm@v3.21.4")
    apiserver = sub.add_parser("kube-apiserver", help="build kube-apiserver and etcd into the cache; print their paths")
    apiserver.add_argument("version", help="Kubernetes version, e.g. v1.37.2")
    apiserver.add_argument("etcd_version", help="etcd version, e.g. v3.6.16")
    sub.add_parser("chromium", help="install Debian's chromium if missing (browser tests) and print its path")
    return parser.parse_args(argv)


def interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # SIGTERM (e.g. make being killed) must clean up like Ctrl-C does; SIGINT may arrive
    # ignored when started in the background by a shell, so restore its default handler too.
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    try:
        if args.command == "install":
            install(set(ENV_VARS))
            say("installed: Kafka jars, redis-server, FerretDB")
        elif args.command == "go-tool":
            print(install_go_tool(args.package))
        elif args.command == "kube-apiserver":
            print("\n".join(map(str, install_kube_apiserver(args.version, args.etcd_version))))
        elif args.command == "chromium":
            with install_lock():
                print(install_chromium())
        elif args.command == "up":
            cmd_up(args.dir.resolve(), args.free_ports, args.fresh)
        else:
            cmd_down(args.dir.resolve())
    except InfraError as error:
        print(f"infra: ERROR: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("infra: interrupted; stopped what had been started", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
