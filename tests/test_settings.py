"""The settings module: production refuses unsafe configuration, the environment is parsed strictly,
and the security headers a browser sees are the strict ones.

Production settings are exercised in a subprocess, because settings are read once per process and the
test run itself uses tests.settings.
"""

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from django.conf import DEPRECATED_EMAIL_SETTINGS, settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.deprecation import RemovedInDjango2028Warning

import ips_journal.settings as project_settings
from ips_journal.settings import database_from_url, envbool, envint

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "q8Vn2-rT4wLk9zXc1HbM6pS3yJf7eGd0aUo5iNtR2vCwE8kYhZmQ"  # 52 chars, test only


def production_env(**overrides):
    """The environment of a production process: DEBUG off, a real key, the public host name.

    Built from scratch, so nothing from the developer's shell or the test run leaks in (the test run sets
    DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which the deploy check rightly rejects).
    """
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "ips_journal.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "journal.example.org",
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(*args, env):
    return subprocess.run(
        [sys.executable, "-W", "error", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def read_settings(*names, **env):
    """Import the settings module in a fresh process with that environment; print the names asked for."""
    code = "import ips_journal.settings as s\n" + "".join(f"print(repr(s.{name}))\n" for name in names)
    return run_python("-c", code, env=production_env(**env))


# --- production ------------------------------------------------------------------------------------


def test_deploy_check_passes_with_production_settings():
    # No database is involved: with DATABASE_URL unset the checks never open a connection.
    result = run_python("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_https_protections():
    result = read_settings(
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "MAILERS['default']['BACKEND']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "'django.core.mail.backends.smtp.EmailBackend'",
    ]


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "riverside-2026"}, "SECRET_KEY must be a long random value"),
        ({"SECRET_KEY": "django-insecure-" + "x7" * 30}, "SECRET_KEY must be a long random value"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must be set"),
    ],
    ids=["no-key", "empty-key", "short-key", "insecure-key", "no-hosts", "blank-hosts"],
)
def test_production_refuses_to_start_with_unsafe_settings(overrides, complaint):
    result = read_settings("DEBUG", **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_sessions_default_to_thirty_idle_minutes_and_twelve_hours():
    result = read_settings("SESSION_IDLE_MINUTES", "SESSION_COOKIE_AGE", "SESSION_MAX_HOURS")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["30", "1800", "12"]


def test_production_reads_session_limits_and_proxy_header_from_environment():
    result = read_settings(
        "SESSION_COOKIE_AGE",
        "SESSION_MAX_HOURS",
        "SECURE_PROXY_SSL_HEADER",
        SESSION_IDLE_MINUTES="45",
        SESSION_MAX_HOURS="8",
        BEHIND_PROXY="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["2700", "8", "('HTTP_X_FORWARDED_PROTO', 'https')"]


def test_fragments_have_a_cache_of_their_own_beside_the_rate_limits():
    """Cached page fragments (reflections.fragments) never push out the rate limits' counters:
    their own bounded in-memory cache, or their own key prefix in the shared Redis."""
    local = read_settings("CACHES", "FRAGMENT_CACHE_SECONDS")
    assert local.returncode == 0, local.stderr
    caches, seconds = local.stdout.splitlines()
    assert "'LOCATION': 'fragments', 'OPTIONS': {'MAX_ENTRIES': 1000}" in caches and seconds == "3600"
    shared = read_settings(
        "CACHES", "FRAGMENT_CACHE_SECONDS", REDIS_URL="redis://cache:6379/0", FRAGMENT_CACHE_SECONDS="0"
    )
    caches, seconds = shared.stdout.splitlines()
    assert "'LOCATION': 'redis://cache:6379/0', 'KEY_PREFIX': 'fragments'" in caches and seconds == "0"
    # Both through the Redis cache that keeps its client (ips_journal.cache).
    assert caches.count("'BACKEND': 'ips_journal.cache.SharedClientRedisCache'") == 2


def test_sessions_are_read_through_redis_only_when_it_is_shared():
    """A per-process cache could keep a signed-out session alive in another process."""
    local = read_settings("SESSION_ENGINE")
    assert local.stdout.split() == ["'django.contrib.sessions.backends.db'"], local.stderr
    shared = read_settings("SESSION_ENGINE", REDIS_URL="redis://cache:6379/0")
    assert shared.stdout.split() == ["'accounts.sessions'"], shared.stderr


def test_nonsense_in_a_boolean_variable_stops_the_start():
    result = read_settings("DEBUG", DJANGO_DEBUG="production")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


# --- parsing the environment -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("FALSE", False),
        ("off", False),
    ],
)
def test_envbool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("IPS_TEST_FLAG", value)
    assert envbool("IPS_TEST_FLAG", not expected) is expected


def test_envbool_and_envint_fall_back_to_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("IPS_TEST_FLAG", raising=False)
    assert envbool("IPS_TEST_FLAG", True) is True
    assert envint("IPS_TEST_FLAG", 30) == 30
    monkeypatch.setenv("IPS_TEST_FLAG", "")
    assert envbool("IPS_TEST_FLAG", False) is False
    assert envint("IPS_TEST_FLAG", 12) == 12


@pytest.mark.parametrize("value", ["2", "enabled", "ture", "y e s"])
def test_envbool_raises_on_nonsense(monkeypatch, value):
    monkeypatch.setenv("IPS_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="IPS_TEST_FLAG must be a boolean"):
        envbool("IPS_TEST_FLAG", False)


def test_envint_reads_whole_numbers(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "45")
    assert envint("SESSION_IDLE_MINUTES", 30) == 45


@pytest.mark.parametrize("value", ["thirty", "30m", "1.5", "0x1e"])
def test_envint_raises_on_nonsense(monkeypatch, value):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", value)
    with pytest.raises(ImproperlyConfigured, match="SESSION_IDLE_MINUTES must be a whole number"):
        envint("SESSION_IDLE_MINUTES", 30)


def test_database_from_url_parses_a_managed_postgres_url(monkeypatch):
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)
    url = (
        "postgres://journal_app:s%3Acr%40t%2Fpass@db-1.internal.riverside.example.org:6432/ips_journal"
        "?sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Friverside-ca.pem"
    )
    assert database_from_url(url) == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "ips_journal",
        "USER": "journal_app",
        "PASSWORD": "s:cr@t/pass",
        "HOST": "db-1.internal.riverside.example.org",
        "PORT": "6432",
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "server_side_binding": True,
            "prepare_threshold": 2,
            "sslmode": "verify-full",
            "sslrootcert": "/etc/ssl/riverside-ca.pem",
        },
    }


def test_database_from_url_leaves_out_what_the_url_leaves_out(monkeypatch):
    monkeypatch.setenv("DB_CONN_MAX_AGE", "0")
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)
    config = database_from_url("postgresql://ips_journal@127.0.0.1/ips_journal")
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "ips_journal",
        "",
        "127.0.0.1",
        "",
    )
    assert config["CONN_MAX_AGE"] == 0
    assert config["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 2}


def test_prepared_statement_options_in_the_url_are_numbers_and_booleans(monkeypatch):
    monkeypatch.delenv("DB_PREPARED_STATEMENTS", raising=False)
    url = "postgres://ips_journal@db.internal.riverside.example.org/ips_journal?prepare_threshold=5"
    assert database_from_url(url)["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    url = "postgres://ips_journal@db/ips_journal?server_side_binding=false&prepare_threshold=none"
    assert database_from_url(url)["OPTIONS"] == {"server_side_binding": False, "prepare_threshold": None}
    with pytest.raises(
        ImproperlyConfigured, match="prepare_threshold in DATABASE_URL must be a whole number"
    ):
        database_from_url("postgres://ips_journal@db/ips_journal?prepare_threshold=often")
    with pytest.raises(ImproperlyConfigured, match="server_side_binding in DATABASE_URL must be a boolean"):
        database_from_url("postgres://ips_journal@db/ips_journal?server_side_binding=sometimes")


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    """Behind a pooler in transaction mode a prepared statement may meet another connection."""
    monkeypatch.setenv("DB_PREPARED_STATEMENTS", "0")
    assert database_from_url("postgres://ips_journal@127.0.0.1/ips_journal")["OPTIONS"] == {}


@pytest.mark.parametrize("url", ["mysql://journal@db/ips_journal", "sqlite:///db.sqlite3", "db.example.org"])
def test_database_from_url_refuses_other_databases(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must be a postgres:// URL"):
        database_from_url(url)


# --- headers a browser sees --------------------------------------------------------------------------


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return header, directives


def assert_strict_csp(response):
    header, directives = csp_directives(response)
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]

    # Scripts: our own files, and only with this response's nonce.
    script_src = directives["script-src"]
    assert script_src[0] == "'self'"
    nonces = [value for value in script_src[1:] if value.startswith("'nonce-")]
    assert len(nonces) == 1 and len(script_src) == 2
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")

    html = response.text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the page loads no script, so the nonce is never exercised"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag
        assert " src=" in tag, f"inline script: {tag}"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html
    return nonce


@pytest.mark.django_db
def test_sign_in_page_sends_a_strict_content_security_policy(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert_strict_csp(response)


def test_signed_in_pages_send_a_strict_csp_with_a_fresh_nonce(client_for, supervisor):
    client = client_for(supervisor)
    first = client.get(reverse("reflections:dashboard"))
    second = client.get(reverse("accounts:team-list"))
    assert first.status_code == second.status_code == 200
    assert assert_strict_csp(first) != assert_strict_csp(second)


@pytest.mark.django_db
def test_responses_carry_the_other_security_headers(client):
    response = client.get(reverse("account_login"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


# --- mail -------------------------------------------------------------------------------------------


def test_settings_configure_mail_through_mailers_only():
    defined = {name for name in dir(project_settings) if name.isupper()}
    assert "MAILERS" in defined
    assert not defined & DEPRECATED_EMAIL_SETTINGS
    # With MAILERS defined, Django refuses to hand out the deprecated settings at all.
    with pytest.raises(AttributeError, match="not available when MAILERS is defined"):
        _ = settings.EMAIL_BACKEND


@pytest.mark.django_db
def test_sending_mail_uses_the_mailer_without_deprecation_warnings(client, author):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango2028Warning)
        assert mail.mailers.default is not None
        response = client.post(reverse("account_reset_password"), {"email": author.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [author.email]
