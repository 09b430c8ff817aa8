"""skaffold.yaml: valid under skaffold's published JSON schema for its apiVersion (kept in
deploy/schemas/), building every service's image with the one Dockerfile and deploying the Helm chart
with the images it built."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from atende_testing.platform import SERVICES

ROOT = Path(__file__).resolve().parents[2]
SKAFFOLD = ROOT / "skaffold.yaml"
SCHEMAS = ROOT / "deploy" / "schemas"
CHART = "deploy/k8s/atende"


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SKAFFOLD.read_text())
    return loaded


def test_the_config_is_valid_under_the_schema_of_its_api_version(config: dict[str, Any]) -> None:
    version = config["apiVersion"].removeprefix("skaffold/")
    schema = json.loads((SCHEMAS / f"skaffold-{version}.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = list(validator.iter_errors(config))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    # The schema catches a misspelt key too (it refuses unknown properties).
    broken = {**config, "build": {**config["build"], "artefacts": []}}
    assert not validator.is_valid(broken)


def test_the_kept_schema_is_the_newest_kept(config: dict[str, Any]) -> None:
    def order(path: Path) -> tuple[int, int, int]:
        match = re.fullmatch(r"skaffold-v(\d+)(alpha|beta)?(\d*)", path.stem)
        assert match is not None, path
        major, stage, number = match.groups()
        return int(major), {"alpha": 0, "beta": 1, None: 2}[stage], int(number or 0)

    newest = max(SCHEMAS.glob("skaffold-v*.json"), key=order)
    assert config["apiVersion"] == "skaffold/" + newest.stem.removeprefix("skaffold-")


def test_every_service_image_is_built_from_the_one_dockerfile(config: dict[str, Any]) -> None:
    artifacts = {a["image"]: a for a in config["build"]["artifacts"]}
    assert set(artifacts) == {f"atende/{p.name}" for p in SERVICES}
    for program in SERVICES:
        artifact = artifacts[f"atende/{program.name}"]
        assert artifact["context"] == "."  # libs/ must be in the build context
        assert artifact["docker"]["dockerfile"] == "deploy/docker/Dockerfile"
        # What scripts/images.py passes: the image's HEALTHCHECK probes this port.
        assert artifact["docker"]["buildArgs"] == {
            "SERVICE": program.name,
            "HEALTH_PORT": str(program.default_internal_port or program.default_port),
        }
    assert ":latest" not in SKAFFOLD.read_text()
    # One tag for all images: the chart has one image.tag.
    assert set(config["build"]["tagPolicy"]) == {"gitCommit"}


def test_the_chart_is_deployed_with_the_images_just_built(config: dict[str, Any]) -> None:
    (release,) = config["manifests"]["helm"]["releases"]
    assert release["chartPath"] == CHART
    assert "helm" in config["deploy"]
    values = release["setValueTemplates"]
    assert values["image.repository"] == "atende"
    tag = re.fullmatch(r"\{\{\.IMAGE_TAG_(\w+)\}\}", values["image.tag"])
    assert tag is not None
    keys = {a["image"].replace("/", "_").replace("-", "_") for a in config["build"]["artifacts"]}
    assert tag[1] in keys
    if (ROOT / CHART / "Chart.yaml").is_file():  # the chart is the Helm branch's (issue 12)
        for values_file in release.get("valuesFiles", []):
            assert (ROOT / values_file).is_file(), values_file
