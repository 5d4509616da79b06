"""A supervisor reviews the team from the team page to a review note the peers read and answer;
the peers see exactly who read their writing. Axe on every page, laptop and phone."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from reflections import flows
from reflections.models import Entry, PeerPair, Task
from reflections.weeks import current_week
from supervision.models import ReviewNote, ReviewReply, WeekReview
from tests.browser.conftest import check_page
from tests.conftest import share_weekly


@pytest.fixture
def shared_week(author, peer, team):
    pair = PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=PeerPair.Status.ACTIVE)
    week = current_week(author)
    for person, task, title, body in [
        (
            author,
            Task.MUTUALITY,
            "Learning from J.",
            "J. showed me how she plans her week around the bus timetable.",
        ),
        (
            peer,
            Task.CONNECTION,
            "Back from leave",
            "I noticed how much I'd missed the small talk in the kitchen.",
        ),
    ]:
        entry = Entry.objects.create(author=person, task=task, title=title, body=body, week=week)
        flows.share_entry(entry, pair)
    return pair, week


def test_a_supervisor_reviews_a_week_and_the_peers_answer(
    page, new_person_context, login, supervisor, author, peer, shared_week
):
    pair, week = shared_week
    login(page, supervisor)
    page.goto("/")
    page.get_by_role("link", name="Team co-reflection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Peer Respite")
    check_page(page, "team-page")
    queue = page.get_by_role("region", name="Waiting for your reading")
    queue.get_by_role("link", name="Maya Okafor & Sam Lindqvist").click()

    expect(page.get_by_text("You are reading this thread as a supervisor")).to_be_visible()
    expect(page.locator("#note-form")).to_have_count(0)  # no annotate controls for supervisors
    check_page(page, "thread-as-supervisor")
    page.get_by_text("Leave a note for both peers").first.click()
    page.get_by_label("A note for both peers").first.fill(
        "It was moving to read how you both *stayed curious* this week."
    )
    page.get_by_role("button", name="Add note").first.click()
    expect(page.get_by_text("Your note is on the thread.")).to_be_visible()
    page.get_by_role("button", name="Mark this week reviewed").first.click()
    expect(page.get_by_text("Marked as reviewed.")).to_be_visible()
    check_page(page, "thread-reviewed")
    assert WeekReview.objects.filter(pair=pair, week=week, supervisor=supervisor).exists()

    maya = new_person_context().new_page()
    login(maya, author)
    maya.goto(pair.get_absolute_url())
    expect(maya.locator(".review-note em")).to_have_text("stayed curious")
    expect(maya.get_by_text("Reviewed by Rosa Delgado.")).to_be_visible()
    maya.locator(".review-note summary").first.click()
    maya.get_by_label("Your reply to Rosa Delgado").fill("Being listened to without an agenda helped.")
    maya.get_by_role("button", name="Send reply").click()
    expect(maya.get_by_text("Being listened to without an agenda helped.")).to_be_visible()
    maya.get_by_text("Who has opened your writing in this thread").click()
    reads = maya.locator("details.reads")
    expect(reads).to_contain_text("Rosa Delgado")
    check_page(maya, "thread-as-peer-with-review")
    assert ReviewReply.objects.get().author == author
    assert ReviewNote.objects.get().author == supervisor


def test_the_team_page_on_a_phone(phone_page, login, supervisor, shared_week):
    login(phone_page, supervisor)
    phone_page.goto(f"/review/teams/{shared_week[0].team_id}/")
    expect(phone_page.get_by_role("heading", name="Pairs and weeks")).to_be_visible()
    expect(phone_page.locator("svg.chart__svg")).to_be_visible()
    summary = phone_page.get_by_text("The same numbers as a table")
    summary.focus()
    phone_page.keyboard.press("Enter")
    expect(phone_page.locator("details.chart-table table")).to_be_visible()
    check_page(phone_page, "team-page-phone")
    phone_page.goto(shared_week[0].get_absolute_url())
    check_page(phone_page, "thread-as-supervisor-phone")


def test_an_unsent_review_note_waits_for_its_week_and_is_never_lost(
    page, base_url, supervisor, author, peer, team
):
    """A note that could not be saved, for a week on an older page, met from the thread's newest
    page (another tab, a bookmark): the page says where it waits; that week's page gives it back.
    If the week's writing is unshared meanwhile, the text is shown to copy."""
    pair = PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=PeerPair.Status.ACTIVE)
    entries = share_weekly(author, pair)
    oldest = entries[-1].week
    # The failed save goes through the supervisor's own session (the browser's, below).
    rosa = Client()
    rosa.force_login(supervisor, backend="allauth.account.auth_backends.AuthenticationBackend")
    typed = "I wonder what changed for you both after the allotment week. " * 400
    note_url = reverse("supervision:review-note-create", args=[pair.pk, oldest.isoformat()])
    rosa.post(note_url, {"body": typed})
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": rosa.cookies[settings.SESSION_COOKIE_NAME].value}
    page.context.add_cookies([{**cookie, "url": base_url, "httpOnly": True, "sameSite": "Lax"}])

    page.goto(pair.get_absolute_url())
    expect(page.get_by_text("is not sent yet")).to_be_visible()
    check_page(page, "thread-review-draft-waits")
    page.get_by_role("link", name="Go to that week").click()
    expect(page.get_by_label("A note for both peers").last).to_have_value(typed)
    check_page(page, "thread-review-draft-back")

    rosa.post(note_url, {"body": typed})
    flows.unshare_entry(entries[-1])
    page.goto(pair.get_week_url(oldest).split("#")[0])  # the page open now, loaded again
    expect(page.get_by_label("Your text, not sent")).to_have_value(typed)
    expect(page.get_by_text("It can no longer be sent there")).to_be_visible()
    check_page(page, "thread-review-draft-to-copy")
    assert not ReviewNote.objects.exists()
