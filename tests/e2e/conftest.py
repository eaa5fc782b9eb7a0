"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses
ORM calls from a thread with a running loop unless told the code is really synchronous.
The tests only touch the database between browser steps, never concurrently, so that is safe.
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Short enough that a broken page fails fast, long enough for a loaded CI machine.
TIMEOUT_MS = 10_000
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run; each test gets its own context (cookies, storage)."""
    if not CHROMIUM.exists():
        message = (f"{CHROMIUM} is missing: install Debian's Chromium "
                   "(apt-get install -y chromium) to run the browser journeys.")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django's
    # async-safety check takes for async code; allow it only while the browser is open.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                  args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser tab on the live server.

    Nothing leaves the machine (the NHS fonts on assets.nhs.uk are refused, and the pages
    fall back to Arial as designed), a JavaScript error fails the test, and a screenshot
    is kept in test-results/e2e/ when a test fails.
    """
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(f"{tab.url}: {error}"))
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not script_errors, f"JavaScript errors: {script_errors}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Let the ``page`` fixture see whether the test body failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def focused(tab) -> dict:
    """What has keyboard focus: tag, id, name, and the text of a link or button."""
    return tab.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
                text: (el.innerText || '').trim(), cls: el.className || ''};
    }""")


def tab_to(tab, element_id: str, presses: int = 25) -> None:
    """Press Tab until the element with this id has focus, as a keyboard user would."""
    for _ in range(presses):
        tab.keyboard.press("Tab")
        if focused(tab)["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} never took focus after {presses} presses of Tab")


def sign_in(tab, user, password: str = PASSWORD) -> None:
    """Sign in through the form (no forced session), as people do."""
    tab.goto("/sign-in/")
    tab.get_by_label("Email address").fill(user.email)
    tab.get_by_label("Password").fill(password)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Sign in").click()


def heading(tab) -> str:
    return re.sub(r"\s+", " ", tab.locator("h1").inner_text()).strip()
