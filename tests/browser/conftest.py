"""Shared fixtures for browser tests: Debian's Chromium driven by Playwright's sync API.

Everything under tests/browser is marked `browser` (run alone with `pytest -m browser`) and runs
against pytest-django's live server in a transactional database, on SQLite and PostgreSQL alike.

We launch /usr/bin/chromium ourselves: a test run never downloads a browser. When Chromium is
missing the tests skip with the reason, unless REQUIRE_BROWSER_TESTS=1 (CI) turns that into a
failure. Set BROWSER_SHOTS_DIR to keep a full-page screenshot of every page `check_page` sees.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Every WCAG 2.0, 2.1 and 2.2 success criterion at levels A and AA that axe-core can check.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Timeouts short enough that a broken page fails fast, long enough for a loaded CI machine.
TIMEOUT_MS = 10_000

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before tests/conftest.py puts transactional tests last
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            # The live server runs in another thread: it only sees committed data.
            item.add_marker(pytest.mark.django_db(transaction=True))


# --- Browser, contexts, pages -------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser(request, browser_type_launch_args):
    """One headless Debian Chromium for the whole run (replaces pytest-playwright's own)."""
    if not CHROMIUM.exists():
        reason = "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(reason + "; REQUIRE_BROWSER_TESTS=1 makes that a failure", pytrace=False)
        pytest.skip(reason)
    # pytest-playwright's session `playwright` fixture starts the driver; it downloads nothing.
    playwright = request.getfixturevalue("playwright")
    instance = playwright.chromium.launch(**browser_type_launch_args)
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(base_url):
    # pytest-playwright's `new_context` adds these to every context (and records traces and
    # screenshots on failure with --tracing / --screenshot).
    return {"base_url": base_url, "locale": "en-GB", "timezone_id": "Europe/London"}


def _watch(context):
    """Remember console errors and uncaught exceptions: a CSP refusal shows up as one."""
    context.problems = []
    context.on(
        "console",
        lambda message: (
            context.problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    context.on("weberror", lambda error: context.problems.append(f"uncaught: {error.error}"))
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(new_context):
    return _watch(new_context(viewport=DESKTOP))


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def phone_context(new_context):
    return _watch(new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2))


@pytest.fixture
def phone_page(phone_context):
    return phone_context.new_page()


@pytest.fixture
def dark_page(new_context):
    """A desktop page that prefers a dark colour scheme (contrast is checked in both)."""
    return _watch(new_context(viewport=DESKTOP, color_scheme="dark")).new_page()


@pytest.fixture
def new_person_context(new_context):
    """new_person_context() -> a fresh desktop context: a second person, or a second device."""
    return lambda: _watch(new_context(viewport=DESKTOP))


# --- Signing in ---------------------------------------------------------------------------------


@pytest.fixture
def login(base_url):
    """login(page, user): sign `user` in to the page's browser context without the form (fast).

    The session comes from Django's test client; tests about signing in use the form instead.
    """

    def _login(page, user):
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        cookie = {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        }
        page.context.add_cookies([{**cookie, "url": base_url, "httpOnly": True, "sameSite": "Lax"}])
        return page

    return _login


def login_with_form(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def logout(page):
    """Sign out as a person does: the POST button in the header."""
    page.locator(".site-header__signout").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    return page


# --- Checking pages -----------------------------------------------------------------------------

_AXE = None


def _axe():
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    return _AXE


def assert_no_axe_violations(page):
    """axe-core in the real page: zero WCAG 2.0/2.1/2.2 A and AA violations."""
    results = _axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"]:
                lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
                if node.get("failureSummary"):
                    summary = " ".join(node["failureSummary"].split())
                    lines.append(f"      {summary[:300]}")
        pytest.fail("\n".join(lines), pytrace=False)


def assert_clean_console(page):
    """No console errors (CSP refusals included) and no uncaught exceptions so far."""
    problems = getattr(page.context, "problems", [])
    assert not problems, f"browser problems on {page.url}:\n" + "\n".join(problems)


def assert_stylesheet_applied(page):
    """app.css loaded (static files served, CSP allowed it): the skip link is moved off-screen."""
    top = page.locator(".skip-link").evaluate("element => getComputedStyle(element).top")
    assert top != "auto", "static/css/app.css did not apply: is the live server serving static files?"


def screenshot(page, name):
    """Keep a full-page screenshot when BROWSER_SHOTS_DIR is set (to look at, not to compare)."""
    folder = os.environ.get("BROWSER_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
        page.screenshot(path=str(Path(folder) / f"{slug}.png"), full_page=True)


def check_page(page, name=None):
    """What every visited page must pass: styled, no console errors, zero axe violations."""
    page.wait_for_load_state()
    assert_stylesheet_applied(page)
    assert_clean_console(page)
    if name:
        screenshot(page, name)
    assert_no_axe_violations(page)
    return page
