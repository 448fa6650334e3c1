"""Every kind of email, opened in Chromium as a webmail client would show it: axe finds no WCAG
2.1 AA violation in light or dark mode, nothing is fetched from anywhere, and it reads without
sideways scrolling at 200 % and 400 % zoom."""

import base64

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.events.email_kinds import every_kind

from .test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.django_db

# A 1280-pixel-wide window at 200 % zoom lays out like a 640-pixel one; 400 % like 320 (WCAG
# 1.4.10 Reflow).
ZOOMED_WIDTHS = (640, 320)


def _violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def _open(page, html: str) -> list[str]:
    """Show the message with the network cut off; return every request it tried to make."""
    requests: list[str] = []

    def refuse(route):
        requests.append(route.request.url)
        route.abort()

    page.route("**/*", refuse)
    page.set_content(html, wait_until="load")
    return requests


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_email_passes_axe_and_loads_nothing(browser, language):
    problems: dict[str, object] = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        for message in every_kind(language):
            found: dict[str, object] = {}
            requests = _open(page, message.html_body)
            if requests:
                found["requests"] = requests
            assert page.locator("html").get_attribute("lang") == language
            assert page.title(), message.kind
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                violations = _violations(page)
                if violations:
                    found[scheme] = violations
            if found:
                problems[message.kind] = found
    finally:
        context.close()
    assert problems == {}


def test_a_logo_is_shown_from_the_message_itself(page, settings, tmp_path):
    """With EMAIL_LOGO the masthead is an image with the host's name as its text alternative,
    referred to by cid: (a mail client shows the inline part); still nothing is fetched."""
    from events import email_layout

    logo = tmp_path / "logo.png"
    logo.write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        )
    )
    settings.EMAIL_LOGO = str(logo)
    email_layout._logo.cache_clear()
    try:
        [message] = [m for m in every_kind("nb") if m.kind == "invitation"]
    finally:
        email_layout._logo.cache_clear()
    requests = _open(page, message.html_body)
    assert not [url for url in requests if url.startswith(("http:", "https:", "//"))]
    image = page.locator(".masthead img")
    assert image.get_attribute("src") == "cid:" + email_layout.LOGO_CID
    assert image.get_attribute("alt") == "Vestfold fylkeskommune"
    assert _violations(page) == []


def test_dark_mode_turns_the_message_dark(page):
    [message] = [m for m in every_kind("nb") if m.kind == "invitation"]
    _open(page, message.html_body)

    def background(selector: str) -> str:
        return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")

    page.emulate_media(color_scheme="light")
    assert background(".sheet") == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    assert background(".sheet") == "rgb(29, 33, 38)"
    assert page.eval_on_selector("h1", "el => getComputedStyle(el).color") == "rgb(232, 234, 237)"


@pytest.mark.parametrize("width", ZOOMED_WIDTHS)
def test_every_email_reflows_when_zoomed(browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    wide = {}
    try:
        for message in every_kind("nb"):
            _open(page, message.html_body)
            scroll, visible = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > visible:
                wide[message.kind] = (scroll, visible)
            # The one button is on screen in full, not cut off at the edge.
            box = page.locator("a.button").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    finally:
        context.close()
    assert wide == {}
