"""Production settings pass ``manage.py check --deploy``: only HTTPS-related warnings without HTTPS=1,
none with it. Runs in a subprocess because settings are read from the environment at start-up. And the
compose file puts nginx in front of the app, with the template the proxy tests run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from config.tests.serving import NGINX_TEMPLATE, TEMPLATE_VARIABLE

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
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
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


# docker-compose.yml: nginx in front, the only published port (config/tests/test_proxy.py measures why)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_publishes_the_proxy_only():
    services = compose()["services"]
    assert {name: service["ports"] for name, service in services.items() if "ports" in service} == {
        "proxy": ["${APP_PORT:-8000}:80"]
    }
    assert services["app"]["expose"] == ["8000"]


def test_the_proxy_of_compose_serves_the_template_the_proxy_tests_measure():
    proxy = compose()["services"]["proxy"]
    assert proxy["volumes"] == ["./deploy/nginx.conf.template:/etc/nginx/templates/default.conf.template:ro"]
    template = NGINX_TEMPLATE.read_text()
    assert set(TEMPLATE_VARIABLE.findall(template)) == {
        "TICKETSHOP_LISTEN",
        "TICKETSHOP_UPSTREAM",
        "TICKETSHOP_RESOLVER",
    }
    assert {name: proxy["environment"][name] for name in TEMPLATE_VARIABLE.findall(template)} == {
        "TICKETSHOP_LISTEN": "80",
        "TICKETSHOP_UPSTREAM": "app:8000",
        "TICKETSHOP_RESOLVER": "127.0.0.11",
    }


def test_the_app_reads_x_forwarded_for_from_the_proxy_s_address_only():
    stack = compose()
    assert (
        stack["services"]["proxy"]["networks"]["default"]["ipv4_address"] == "${PROXY_ADDRESS:-172.30.80.10}"
    )
    assert stack["services"]["app"]["environment"]["TRUSTED_PROXIES"] == (
        "${TRUSTED_PROXIES:-${PROXY_ADDRESS:-172.30.80.10}}"
    )
    assert stack["networks"]["default"]["ipam"]["config"] == [{"subnet": "${COMPOSE_SUBNET:-172.30.80.0/24}"}]
