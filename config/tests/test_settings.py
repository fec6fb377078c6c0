"""Settings read from the environment (checked in a subprocess: settings load once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE']); print(s.CACHES['default']['BACKEND']); print(s.DEBUG)"
)


def settings_with(**env: str) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 60, **env})
    result = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_defaults_are_sqlite_a_local_cache_and_no_debug():
    assert settings_with() == [
        "django.db.backends.sqlite3", "django.core.cache.backends.locmem.LocMemCache", "False",
    ]  # fmt: skip


def test_database_url_selects_postgresql_and_redis_url_a_shared_cache():
    engine, cache, debug = settings_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/ticketshop",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DEBUG="1",
    )
    assert engine == "django.db.backends.postgresql"
    assert cache == "django.core.cache.backends.redis.RedisCache"
    assert debug == "True"
