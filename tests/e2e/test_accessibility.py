"""Accessibility smoke checks on the main pages: labels, one h1, a skip link that works.

Not a full audit (no axe-core here): the checks a keyboard or screen reader user would
notice first, and that regress most easily when a template changes.
"""

import pytest
from playwright.sync_api import expect

from commissioning.choices import Role
from tests.e2e.conftest import focused, sign_in

PAGES = {
    "sign-in": lambda area: "/sign-in/",
    "home": lambda area: "/",
    "care-home-list": lambda area: "/care-homes/",
    "care-home-detail": lambda area: f"/care-homes/{area.home.cqc_location_id}/",
    "cqc-imports": lambda area: "/care-homes/imports/",
}

# Form controls a person fills in, and whether each has a label with words in it.
UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
    .filter(el => {
        const text = [...(el.labels || [])].map(l => l.innerText.trim()).join('')
            || (el.getAttribute('aria-label') || '').trim()
            || (el.getAttribute('aria-labelledby') || '').split(/\\s+/)
                .map(id => document.getElementById(id)?.textContent.trim() || '').join('');
        return !text;
    })
    .map(el => el.outerHTML.slice(0, 120))"""

# Links and buttons with nothing for a screen reader to announce.
NAMELESS_CONTROLS = """() => [...document.querySelectorAll('a[href], button')]
    .filter(el => !((el.innerText || el.textContent || '').trim()
                    || (el.getAttribute('aria-label') || '').trim()
                    || el.querySelector('svg title, img[alt]:not([alt=""])')))
    .map(el => el.outerHTML.slice(0, 120))"""

# aria-describedby / aria-labelledby / label[for] pointing at ids that do not exist, and ids
# used twice (either breaks the link between a field and its label, hint or error).
BROKEN_REFERENCES = """() => {
    const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i).map(id => `duplicate id ${id}`);
    const missing = [];
    for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby], label[for]')) {
        const refs = ['aria-describedby', 'aria-labelledby', 'for']
            .flatMap(a => (el.getAttribute(a) || '').split(/\\s+/)).filter(Boolean);
        for (const id of refs) if (!document.getElementById(id)) missing.push(`no element #${id}`);
    }
    return [...twice, ...missing];
}"""

# Focusable elements inside something whose children assistive technology ignores (ARIA
# makes the children of img, button, checkbox and the like presentational).
HIDDEN_FOCUSABLES = """() => [...document.querySelectorAll(
        '[role="img"] a[href], [role="img"] button, [role="img"] input, [role="img"] [tabindex],'
        + 'button a[href], a[href] button, a[href] a[href]')]
    .map(el => el.outerHTML.slice(0, 120))"""

FIRST_FOCUSABLE = """() => [...document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')]
    .filter(el => el.tabIndex >= 0 && !el.disabled)[0].outerHTML.slice(0, 120)"""


@pytest.mark.e2e
@pytest.mark.parametrize("name", PAGES)
def test_main_page_has_labelled_fields_one_h1_and_a_skip_link_to_main(page, area, name):
    if name != "sign-in":
        sign_in(page, area.users[Role.COMMISSIONER])
    response = page.goto(PAGES[name](area))
    assert response.status == 200

    assert page.locator("h1").count() == 1
    assert page.title().strip()
    assert page.locator("html").get_attribute("lang") == "en-GB"
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(NAMELESS_CONTROLS) == []
    assert page.evaluate(BROKEN_REFERENCES) == []
    assert page.evaluate(HIDDEN_FOCUSABLES) == []

    # The skip link comes first, for the keyboard as in the markup, and lands in <main>.
    assert "nhsuk-skip-link" in page.evaluate(FIRST_FOCUSABLE)
    page.keyboard.press("Tab")
    first = focused(page)
    assert (first["tag"], first["text"]) == ("a", "Skip to main content")
    page.keyboard.press("Enter")
    expect(page.locator("main#maincontent")).to_be_focused()
