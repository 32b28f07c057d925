"""The settings read the environment and refuse to run unsafely."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # No local .env either, unless a test names one: the settings see only what the test sets.
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_secret_key_with_debug_off_is_a_clear_error():
    result = run_manage("check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_mode_runs_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr


# The local .env file --------------------------------------------------------------------------------


def settings_of(*names, **env):
    """Return ``{name: repr(value)}`` of the settings ``names`` as a fresh process reads them, or the error."""
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: repr(getattr(s, n)) for n in {names!r}}}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_local_env_file_fills_in_debug_mode_and_the_secret_key(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# written by make run\n\nDJANGO_DEBUG=1\nexport DJANGO_SECRET_KEY='local-key-from-the-env-file'\n",
        encoding="utf-8",
    )

    assert run_manage("check", DJANGO_ENV_FILE=str(env_file)).returncode == 0
    assert settings_of("DEBUG", "SECRET_KEY", DJANGO_ENV_FILE=str(env_file)) == {
        "DEBUG": "True",
        "SECRET_KEY": "'local-key-from-the-env-file'",
    }


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=from-the-file\nTIME_ZONE=Europe/London\n", encoding="utf-8")

    values = settings_of(
        "DEBUG",
        "SECRET_KEY",
        "TIME_ZONE",
        DJANGO_ENV_FILE=str(env_file),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="from-env",
    )

    assert values == {"DEBUG": "False", "SECRET_KEY": "'from-env'", "TIME_ZONE": "'Europe/London'"}


def test_without_env_file_or_variables_production_still_refuses_to_start(tmp_path):
    result = run_manage("check", DJANGO_ENV_FILE=str(tmp_path / "no-such.env"))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_an_env_file_without_the_secret_key_does_not_weaken_production(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_ALLOWED_HOSTS=desk.example.org\n", encoding="utf-8")

    result = run_manage("check", DJANGO_ENV_FILE=str(env_file))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_malformed_env_file_line_is_named_without_quoting_it(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\nDJANGO_SECRET_KEY: s3cret-value\n", encoding="utf-8")

    result = run_manage("check", DJANGO_ENV_FILE=str(env_file))

    assert result.returncode != 0
    assert f"{env_file}, line 2: expected NAME=value." in result.stderr
    assert "s3cret-value" not in result.stderr


def test_the_env_file_is_read_from_the_repository_root_by_default():
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    code = "import django; django.setup(); from django.conf import settings; print(settings.ENV_FILE)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.strip() == str(ROOT / ".env"), result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x7Gq2-very-long-random-production-key-for-the-deploy-check-0123456789",
        DJANGO_ALLOWED_HOSTS="editorial.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_url_selects_the_database():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": "postgres://someone@db.invalid:5432/newsroom",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr


def test_redis_url_selects_the_redis_cache_and_the_database_cache_is_the_default():
    code = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"

    def cache_for(**env):
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip() or result.stderr

    assert cache_for() == "django.core.cache.backends.db.DatabaseCache django_cache"
    assert cache_for(REDIS_URL="redis://cache.invalid:6379/2") == (
        "django.core.cache.backends.redis.RedisCache redis://cache.invalid:6379/2"
    )


def test_a_trusted_proxy_count_that_is_not_a_number_is_a_clear_error():
    result = run_manage("check", DJANGO_DEBUG="1", TRUSTED_PROXY_COUNT="two")

    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be a whole number" in result.stderr


# Content-Security-Policy --------------------------------------------------------------------------

STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy_of(response):
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_public_pages_admin_and_api_docs_send_a_strict_content_security_policy(client, django_user_model):
    from tests.factories import make_published_claim

    claim = make_published_claim()
    urls = ["/", "/claims/", claim.get_absolute_url(), "/sources/", "/admin/login/", "/api/docs/", "/api/claims/"]
    responses = {url: client.get(url) for url in urls}
    client.force_login(django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-123"))
    for url in ("/admin/", f"/admin/editorial/claim/{claim.pk}/change/"):
        responses[url] = client.get(url)

    for url, response in responses.items():
        assert response.status_code == 200, url
        assert policy_of(response) == STRICT_POLICY, url


@pytest.mark.django_db
def test_not_found_pages_send_the_policy_too(client):
    response = client.get("/claims/no-such-claim/")

    assert response.status_code == 404
    assert policy_of(response) == STRICT_POLICY


# Login ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_login_with_an_offsite_next_lands_on_the_admin_index(client, django_user_model):
    django_user_model.objects.create_user("edna", password="pw-edna-123", is_staff=True)

    response = client.post(
        "/admin/login/?next=https://evil.example/",
        {"username": "edna", "password": "pw-edna-123", "next": "https://evil.example/"},
        follow=True,
    )

    assert response.redirect_chain == [("/admin/", 302)]
    assert response.status_code == 200
    assert response.wsgi_request.path == "/admin/"


def test_postgresql_connections_turn_jit_off_unless_asked_to_keep_it():
    url = "postgres://someone@db.invalid:5432/newsroom?options=-c%20statement_timeout%3D5000"
    off = settings_of("DATABASES", DJANGO_DEBUG="1", DATABASE_URL=url)
    kept = settings_of("DATABASES", DJANGO_DEBUG="1", DATABASE_URL=url, DATABASE_JIT="1")
    sqlite = settings_of("DATABASES", DJANGO_DEBUG="1", DATABASE_URL="sqlite:////tmp/x.sqlite3")

    assert "'options': '-c statement_timeout=5000 -c jit=off'" in off["DATABASES"]
    assert "jit" not in kept["DATABASES"] and "statement_timeout=5000" in kept["DATABASES"]
    assert "jit" not in sqlite["DATABASES"]


def test_a_command_beside_another_sqlite_writer_waits_for_the_lock_instead_of_failing(tmp_path):
    # ``make run``'s task worker writes while pages are served; a command run beside them found the
    # database locked at once (a transaction begun by reading cannot wait for the write lock).
    import sqlite3
    import threading
    import time

    database = tmp_path / "db.sqlite3"
    env = {"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"}
    assert run_manage("migrate", "--noinput", **env).returncode == 0
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "pier.txt").write_text(
        "Title: Pier reopens\nPublisher: Harbour Gazette\nPublished: 2024-05-01\n\nThe pier reopens in May.\n",
        encoding="utf-8",
    )
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE django_migrations SET app = app")
    release = threading.Timer(3, lambda: holder.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    try:
        result = run_manage("import_sources", str(tmp_path / "sources"), **env)
    finally:
        release.join()
        holder.close()

    assert result.returncode == 0, result.stderr[-2000:]
    assert "1 created" in result.stdout
    assert "locked" not in result.stderr
    assert time.monotonic() - started >= 2  # it waited for the other writer


@pytest.mark.parametrize("entry", ["config.wsgi", "config.asgi"])
def test_the_server_entry_points_keep_what_loading_made_out_of_the_collectors_sight(entry):
    code = f"import gc; import {entry}; print(gc.get_freeze_count())"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SECRET_KEY": "test-only", "DJANGO_DEBUG": "1", "DJANGO_ENV_FILE": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) > 10_000  # the loaded app's objects
