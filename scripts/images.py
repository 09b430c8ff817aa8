"""Build every service's image with deploy/docker/Dockerfile (needs a Docker engine).

python scripts/images.py [--tag 0.1.0] [--registry registry.example.com/atende] [service ...]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "libs" / "atende-testing" / "src"))

from atende_testing.platform import SERVICES  # noqa: E402 - the programs' ports live there

DOCKERFILE = "deploy/docker/Dockerfile"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tag", default="dev")
    parser.add_argument("--registry", default="atende")
    parser.add_argument("services", nargs="*", help="default: every service")
    args = parser.parse_args()
    docker = shutil.which("docker")
    if docker is None:
        print("images: the docker client is not installed", file=sys.stderr)
        return 2
    chosen = [p for p in SERVICES if not args.services or p.name in args.services]
    for program in chosen:
        health_port = program.default_internal_port or program.default_port
        image = f"{args.registry}/{program.name}:{args.tag}"
        command = [docker, "build", "-f", DOCKERFILE, "--build-arg", f"SERVICE={program.name}",
                   "--build-arg", f"HEALTH_PORT={health_port}", "-t", image, "."]  # fmt: skip
        print(f"images: building {image}", flush=True)
        if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
