"""deploy/: the container's command is a `kzdocs serve` the CLI accepts, the Kubernetes example
has what the deployment page promises, the HAProxy configuration is valid for Debian's haproxy
(tests/test_service_haproxy.py runs it in front of two real copies)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kzdocs.cli import _parser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def test_the_container_runs_kzdocs_serve_with_options_it_takes():
    text = (DEPLOY / "Containerfile").read_text("utf-8")
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
    assert command[:2] == ["kzdocs", "serve"]
    args = _parser().parse_args(command[1:])
    assert args.host == "0.0.0.0" and args.token_file and args.sign
    assert "KZDOCS_KEY_PASSWORD_FILE=/run/secrets/kzdocs/password" in text
    assert re.search(r"^USER kzdocs$", text, re.M)


def test_the_kubernetes_example_probes_limits_and_scales():
    documents = {
        d["kind"]: d
        for d in yaml.safe_load_all((DEPLOY / "kubernetes" / "kzdocs.yaml").read_text("utf-8"))
    }
    assert set(documents) == {"Deployment", "Service", "HorizontalPodAutoscaler"}
    pod = documents["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert pod["terminationGracePeriodSeconds"] > 31  # the graceful stop: --timeout 30 + 1
    hpa = documents["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == documents["Deployment"]["metadata"]["name"]


def test_haproxy_accepts_the_configuration():
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.fail("haproxy is not installed: .ci/run installs Debian's haproxy")
    env = {**os.environ, "KZDOCS_LISTEN": "127.0.0.1:1", "KZDOCS_SERVER_1": "127.0.0.1:2",
           "KZDOCS_SERVER_2": "127.0.0.1:3"}  # fmt: skip
    done = subprocess.run([haproxy, "-c", "-f", str(DEPLOY / "haproxy.cfg")], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
