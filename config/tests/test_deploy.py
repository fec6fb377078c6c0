"""Production settings pass ``manage.py check --deploy``: only HTTPS-related warnings without HTTPS=1,
none with it. Runs in a subprocess because settings are read from the environment at start-up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTTPS_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DEBUG", "HTTPS", "DATABASE_URL"}
    }
    environment.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "k7#Qx9!vR2@mL5$wT8^zB3&nF6*pJ1(cH4)dG0_sY7+eK2=uA9-oI5~rN8?iM3",
            "ALLOWED_HOSTS": "tickets.example.com",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize(("https", "allowed"), [("0", HTTPS_WARNINGS), ("1", set())])
def test_check_deploy_reports_nothing_but_https_configuration(https, allowed):
    result = check_deploy(HTTPS=https)
    assert result.returncode == 0, result.stderr
    reported = set(re.findall(r"\((security\.[WE]\d+)\)", result.stdout + result.stderr))
    assert reported <= allowed, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = check_deploy(SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
