"""Every hostile input, rendered by the one render function, shown in a real Chromium.

The page has no Content-Security-Policy, so the sanitiser alone must hold. For each input the
test records dialogs, a `top.__pwned` sentinel the payloads set, every request the page makes (none
is expected: the rendering loads nothing), pop-ups and navigations; then it hovers, focuses and
clicks every element, fires every `on*` event type at it, tabs through the page, and checks again.

A control test feeds the same harness unsanitised HTML, so a harness that cannot see an attack
fails instead of passing quietly.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from reflections.rendering import render_markdown
from tests.reflections.hostile_inputs import EVIL, HOSTILE_INPUTS, JS, JS_URL, LONG_INPUTS

pytestmark = pytest.mark.browser

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
# A made-up origin the test serves itself: nothing leaves the machine.
ORIGIN = "https://journal.test"
SHELL = "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Entry</title></head><body></body></html>"
PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Entry</title></head>"
    "<body><main><article class='entry-body'>{}</article></main></body></html>"
)
# Links to http(s) and mailto are allowed; following one would leave the page, so the page
# cancels them (and remembers them). A javascript: URL is not cancelled: if one survived, it runs.
CANCEL_SAFE_NAVIGATION = """() => {
    window.__followed = [];
    addEventListener('click', (event) => {
        const link = event.target.closest && event.target.closest('a[href]');
        if (!link) return;
        const protocol = new URL(link.href, location.href).protocol;
        if (['http:', 'https:', 'mailto:'].includes(protocol)) {
            event.preventDefault();
            window.__followed.push(link.href);
        }
    }, true);
}"""
# Every element gets focus and every event type the browser has an on* handler for, then a click.
PROVOKE_EVERY_ELEMENT = """(limit) => {
    const types = new Set();
    for (let proto = HTMLElement.prototype; proto; proto = Object.getPrototypeOf(proto)) {
        for (const key of Object.getOwnPropertyNames(proto)) if (key.startsWith('on')) types.add(key.slice(2));
    }
    for (const key of Object.getOwnPropertyNames(window)) if (key.startsWith('on')) types.add(key.slice(2));
    const elements = [document.documentElement, document.body, ...document.body.querySelectorAll('*')];
    for (const element of elements.slice(0, limit)) {
        try { element.focus(); } catch (error) {}
        for (const type of types) {
            try { element.dispatchEvent(new Event(type, {bubbles: true, cancelable: true})); } catch (error) {}
        }
        try { element.click(); } catch (error) {}
    }
    return types.size;
}"""
LEFTOVERS = (
    "script, style, link, meta, base, iframe, frame, object, embed, img, image, svg, math, form, "
    "input, button, video, audio, source, picture, template, [style], [srcdoc]"
)
REAL_POINTER_LIMIT = 40
JS_ELEMENT_LIMIT = 400


@pytest.fixture(scope="module")
def hostile_browser(request):
    """Our own headless Debian Chromium, launched like tests/browser/conftest.py's `browser`.

    Kept here so this file does not depend on the shared fixtures while they are being written;
    it can switch to the shared `browser` fixture later without other changes.
    """
    if not CHROMIUM.exists():
        reason = "Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
            pytest.fail(reason + "; REQUIRE_BROWSER_TESTS=1 makes that a failure", pytrace=False)
        pytest.skip(reason)
    # pytest-playwright's session `playwright` fixture only starts the driver (it downloads
    # nothing); a second sync_playwright() in the same thread would refuse to start.
    playwright = request.getfixturevalue("playwright")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Seen:
    dialogs: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    popups: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    pwned: object = None
    url: str = ""
    frames: int = 0
    leftovers: list = field(default_factory=list)
    followed: list = field(default_factory=list)

    @property
    def foreign_requests(self):
        return [url for _, url in self.requests if not url.startswith(ORIGIN + "/")]


def show(browser, html, *, long=False):
    """Put `html` in a page of ORIGIN, provoke it every way we can, and say what happened."""
    seen = Seen()
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.set_default_timeout(5_000)
    served = []

    def route(route):
        request = route.request
        if not served and request.url == ORIGIN + "/" and request.is_navigation_request():
            served.append(request.url)
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=SHELL)
        else:
            seen.requests.append((request.resource_type, request.url))
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    context.on("page", lambda popup: seen.popups.append(popup.url))
    page.on(
        "dialog", lambda dialog: (seen.dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss())
    )
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    try:
        page.goto(ORIGIN + "/")
        page.set_content(PAGE.format(html), wait_until="load")
        # After set_content: document.open() drops the window's listeners.
        page.evaluate(CANCEL_SAFE_NAVIGATION)
        page.wait_for_timeout(50)
        # Real pointer and keyboard first: hover, then click, each element a person could reach.
        elements = page.locator("main *")
        for index in range(min(elements.count(), 10 if long else REAL_POINTER_LIMIT)):
            element = elements.nth(index)
            if element.is_visible():
                try:
                    element.hover(timeout=1_000, force=True)
                    element.click(timeout=1_000, force=True)
                except PlaywrightError:
                    pass  # covered or detached: the scripted pass below still reaches it
        for _ in range(8):
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
        page.evaluate(PROVOKE_EVERY_ELEMENT, 50 if long else JS_ELEMENT_LIMIT)
        # javascript: URLs, load/error events and timers run a moment later.
        page.wait_for_timeout(250)
        seen.pwned = page.evaluate("() => window.__pwned ?? null")
        seen.followed = page.evaluate("() => window.__followed")
        seen.leftovers = page.evaluate(
            """(selector) => [
                ...document.body.querySelectorAll(selector),
                ...[...document.head.children].slice(2),  // beyond our own meta and title
            ].map((element) => element.outerHTML.slice(0, 120))""",
            LEFTOVERS,
        )
        seen.url = page.url
        seen.frames = len(page.frames)
    finally:
        context.close()
    return seen


def assert_nothing_happened(seen):
    assert seen.dialogs == [], "a dialog opened: script ran"
    assert seen.pwned is None, "the sentinel was set: script ran"
    assert seen.foreign_requests == [], "a request left for a foreign origin"
    assert seen.requests == [], "the rendering loaded something"
    assert seen.popups == [], "a window opened"
    assert seen.url == ORIGIN + "/", "the page navigated away"
    assert seen.frames == 1, "a frame appeared"
    assert seen.leftovers == []
    assert seen.errors == [], "a script error: something ran"


@pytest.mark.parametrize("name", HOSTILE_INPUTS)
def test_hostile_input_is_inert_in_chromium(hostile_browser, name):
    seen = show(hostile_browser, render_markdown(HOSTILE_INPUTS[name]), long=name in LONG_INPUTS)

    assert_nothing_happened(seen)
    # Every link that was followed was an allowed kind (the page cancelled it before it left).
    assert all(url.startswith(("https://", "http://", "mailto:")) for url in seen.followed)


def test_ordinary_links_are_reachable_and_stay_put(hostile_browser):
    seen = show(hostile_browser, render_markdown("[notes](https://ok.example/notes) and [home](/)"))

    assert_nothing_happened(seen)
    assert "https://ok.example/notes" in seen.followed and ORIGIN + "/" in seen.followed


@pytest.mark.parametrize(
    ("raw_html", "caught_by"),
    [
        (f'<img src=x onerror="{JS}">', "script"),
        (f'<a href="{JS_URL}">click me</a>', "script"),
        (f'<p onmouseover="{JS}">hover me</p>', "script"),
        (f'<p tabindex=0 onfocus="{JS}">focus me</p>', "script"),
        (f'<details ontoggle="{JS}"><summary>open</summary>x</details>', "script"),
        (f'<img src="{EVIL}/pixel.png" alt="">', "request"),
        (f'<p style="background:url({EVIL}/bg.png)">styled</p>', "request"),
        (f'<iframe src="{EVIL}/"></iframe>', "request"),
    ],
)
def test_the_harness_sees_unsanitised_html(hostile_browser, raw_html, caught_by):
    """Control: without the renderer, each of these is caught, so a pass above means something."""
    seen = show(hostile_browser, raw_html)

    if caught_by == "script":
        assert seen.dialogs and seen.pwned == 1
    else:
        assert any(url.startswith(EVIL) for url in seen.foreign_requests)
