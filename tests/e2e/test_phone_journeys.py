"""At 390 x 844, each role's journey through the pages issue 22 changed: every page fits the
width, keeps the header within its budget and passes axe-core (tests/e2e/phone.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from alliance.models import CheckIn
from matching.intake import Intake
from tests.e2e.helpers import PASSWORD, current_totp_code
from tests.e2e.phone import CARD_BUDGET_PX, PHONE, check_phone_page, open_menu
from tests.e2e.test_checkin_flow import STRONG, accepted_and_due, responder_named, scale_option
from tests.e2e.test_vetting_flow import sign_in
from tests.factories import (
    ResponderFactory,
    StaffFactory,
    intro_through_service,
    listed_therapist,
)

# Tabs from the page's top to the first control of the check-in form; a bound, not a count.
MAX_TABS = 60


def tab_until(page: Page, name: str) -> None:
    """Press Tab until the focused control has this name attribute."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == name:
            return
    raise AssertionError(f"Tab never reached {name}")


def answer_by_keyboard(page: Page, answers: dict[str, int]) -> None:
    """The check-in with keys only: Space picks, arrows move along a scale, Tab to the next."""
    tab_until(page, "met")
    page.keyboard.press("Space")  # "Yes", the first choice
    for name, value in answers.items():
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == name
        page.keyboard.press("Space")  # 0, then along the scale
        for _ in range(value):
            page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # still seeing them: "Yes"
    tab_until(page, "")  # past the optional questions, the note and the share box
    expect(page.locator(":focus")).to_have_text("Send my answers")
    page.keyboard.press("Enter")


@pytest.mark.slow  # about 15 s: one journey instead of five short tests
def test_a_responder_on_a_phone_answers_check_ins_by_tap_and_by_keyboard_and_pages_the_list(
    browser: Browser, live_server: Any, axe: Axe
) -> None:
    base = live_server.url
    for n in range(13):
        listed_therapist(
            full_name=f"Phone {n:02d} Fictional", languages={"en", "es"} if n % 3 else {"en"}
        )
    responder = responder_named("Medic Phone")
    first_link = accepted_and_due(responder, listed_therapist(full_name="Tap Fictional"))
    second_link = accepted_and_due(responder, listed_therapist(full_name="Keys Fictional"))
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()

    page.goto(base + "/")
    check_phone_page(page, axe, "home")
    page.goto(base + "/help-now/")
    check_phone_page(page, axe)

    # A check-in link, signed out: the sign-in page says why, then returns to it.
    page.goto(base + first_link)
    expect(page.get_by_role("heading", name="Why sign in to answer a check-in?")).to_be_visible()
    check_phone_page(page, axe, "checkin-sign-in")
    page.get_by_label("Email").fill(responder.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("How is it going with Tap Fictional?")
    check_phone_page(page, axe, "checkin")

    # Taps only.
    page.get_by_role("group", name="Have you met them yet?").get_by_label("Yes").tap()
    for label, value in STRONG.items():
        scale_option(page, label, value).tap()
    page.get_by_role("group", name="Are you still seeing them?").get_by_label("Yes").tap()
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    check_phone_page(page, axe)

    # Keys only.
    page.goto(base + second_link)
    answer_by_keyboard(
        page, {"respect_trust": 7, "collaboration": 8, "empathy": 9, "adaptability": 10, "fit": 6}
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    by_keys = CheckIn.objects.get(plan__therapist__full_name="Keys Fictional", number=1)
    assert (by_keys.respect_trust, by_keys.adaptability, by_keys.fit) == (7, 10, 6)
    by_taps = CheckIn.objects.get(plan__therapist__full_name="Tap Fictional", number=1)
    assert by_taps.status == CheckIn.Status.ANSWERED and by_taps.empathy == 9

    # The list: compact cards, and Next puts the first new card at the top, focused.
    page.goto(base + "/matches/")
    cards = page.locator("#results .result")
    heights = [box["height"] for box in (card.bounding_box() for card in cards.all())]
    assert len(heights) == 10 and max(heights) <= CARD_BUDGET_PX, heights
    check_phone_page(page, axe, "results")
    for link, first in (("Next", 11), ("Previous", 1)):
        page.get_by_role("link", name=link, exact=True).tap()
        expect(page.locator("#results > p.muted")).to_contain_text(f"Showing {first} to")
        top = cards.first.bounding_box()["y"]
        assert abs(top) <= 1, f"After {link} the first card starts {top:.0f} px down"
        expect(cards.first.locator("h3")).to_be_focused()
        check_phone_page(page, axe, "results-next" if first == 11 else "")

    # The filter panel says the new count where the thumb is.
    page.locator("details.refine summary").tap()
    page.get_by_label("Only therapists who speak a language I chose").check()
    bar = page.locator("#refine-count")
    expect(bar).to_contain_text("therapists match")
    expect(bar).to_be_in_viewport()
    check_phone_page(page, axe, "refine")

    # The menu: the links one tap away, Escape closes it and gives focus back.
    open_menu(page)
    expect(page.get_by_role("link", name="Your requests")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(page.locator(".site-menu[open]")).to_have_count(0)
    expect(page.locator(".site-menu__toggle")).to_be_focused()

    # Clearing the answers asks first.
    page.get_by_text("On a shared device? Clear my answers").tap()
    expect(page.get_by_role("button", name="Yes, clear my answers")).to_be_visible()
    check_phone_page(page, axe)
    for path in ("/me/", "/me/intros/", "/me/data/", "/find/answers/", "/find/style/"):
        page.goto(base + path)
        check_phone_page(page, axe, path.strip("/").replace("/", "-"))
    context.close()


def test_a_therapists_first_sign_in_on_a_phone_ends_on_the_intro_request(
    page: Page, live_server: Any, axe: Axe
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    therapist = listed_therapist(full_name="First Fictional")
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    responder = ResponderFactory(pseudonym="Medic First", answers=Intake(state="CO").to_dict())
    intro = intro_through_service(
        responder, therapist, contact_method="phone", contact_phone="+17205550199"
    )

    page.goto(base + f"/therapist/intros/{intro.public_id}/")  # the emailed link
    page.get_by_label("Email").fill(therapist.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # No second password: straight to the set-up.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    check_phone_page(page, axe, "two-factor-set-up")
    secret = page.locator("#authenticator-secret").inner_text()
    page.get_by_label("Authenticator code").fill(current_totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    check_phone_page(page, axe, "recovery-codes")
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.get_by_text("Shown once you accept.")).to_be_visible()
    assert page.url == base + f"/therapist/intros/{intro.public_id}/"
    check_phone_page(page, axe, "intro")

    page.get_by_label("Accept").check()
    page.get_by_label("Your next step, or a colleague to suggest").fill("I will call tonight.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Your answer is sent.")).to_be_visible()
    expect(page.get_by_role("link", name="+17205550199")).to_be_visible()  # no reopening
    check_phone_page(page, axe)
    for path in ("/therapist/", "/therapist/alliance/", "/therapist/profile/alliance/"):
        page.goto(base + path)
        check_phone_page(page, axe, path.strip("/").replace("/", "-"))
    # The editor's style choices show their whole words on a phone.
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('select')].filter(select => {
            const probe = document.createElement('span');
            probe.style.font = getComputedStyle(select).font;
            document.body.append(probe);
            const widest = Math.max(...[...select.options].map(option => {
                probe.textContent = option.text;
                return probe.getBoundingClientRect().width;
            }));
            probe.remove();
            return widest + 40 > select.clientWidth;
        }).map(select => select.name)"""
    )
    assert clipped == []


def test_staff_pages_fit_a_phone(page: Page, live_server: Any, axe: Axe, totp_user_factory) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    staff = StaffFactory(email="staff-phone@example.test")
    staff.set_password(PASSWORD)
    staff.save()
    secret = totp_user_factory(staff)
    sign_in(page, base, staff.email, totp_secret=secret)
    for path in ("/staff/vetting/", "/staff/alliance/", "/staff/ranking-report/"):
        page.goto(base + path)
        check_phone_page(page, axe, path.strip("/").replace("/", "-"))
    open_menu(page)
    expect(page.get_by_role("link", name="Ranking report")).to_be_visible()
    assert re.search(r"/staff/", page.url)
