"""The Makefile writes the local .env that makes the README's commands work, once."""

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(target, cwd):
    """Run ``make target`` with the repository's Makefile and virtual environment, in ``cwd``."""
    return subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), target, f"VENV={ROOT / '.venv'}", f"PYTHON={sys.executable}"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_writes_a_local_env_with_debug_mode_and_a_random_secret_key_once(tmp_path):
    first = make(".env", tmp_path)
    written = (tmp_path / ".env").read_text(encoding="utf-8")
    second = make(".env", tmp_path)

    assert first.returncode == 0, first.stderr
    assert "DJANGO_DEBUG=1" in written.splitlines()
    key = re.search(r"^DJANGO_SECRET_KEY=(\S+)$", written, flags=re.MULTILINE)[1]
    assert len(key) >= 50
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    assert second.returncode == 0, second.stderr
    assert (tmp_path / ".env").read_text(encoding="utf-8") == written  # never overwritten
    assert not (tmp_path / ".env.tmp").exists()


def test_another_checkout_gets_another_secret_key(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    make(".env", tmp_path / "a")
    make(".env", tmp_path / "b")

    assert (tmp_path / "a" / ".env").read_text() != (tmp_path / "b" / ".env").read_text()


def test_the_written_env_file_lets_manage_py_run_without_variables(tmp_path):
    make(".env", tmp_path)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV_FILE": str(tmp_path / ".env")},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
