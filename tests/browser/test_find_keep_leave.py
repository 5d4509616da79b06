"""Find, keep and leave, as people do it in Chromium, with axe on every page visited: search
with filters, notifications, preferences, the reminder email and its unsubscribe link, exporting
and downloading, the printable thread, and deleting an account."""

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from notifications.models import Notification, Preferences
from notifications.schedule import send_due
from tests.browser.conftest import assert_no_axe_violations, check_page, screenshot
from tests.search import world
from tests.search.world import NOTE_MARKER, PASSWORD, PRIVATE_MARKER


@pytest.fixture
def journal(team, other_team, author, peer, supervisor, other_supervisor):
    return world.build(
        team=team,
        other_team=other_team,
        author=author,
        peer=peer,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
    )


@pytest.fixture
def site_url(settings, live_server):
    """Links in emails point at the live server."""
    settings.SITE_URL = live_server.url
    return live_server.url


def test_search_from_the_header_then_narrow_with_filters(page, login, journal):
    login(page, journal.author)
    page.goto("/account/profile/")
    page.get_by_role("searchbox", name="Search your journal").fill("marigold")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=2, name=re.compile("7 results for “marigold”"))).to_be_visible()
    expect(page.locator(".hit mark").first).to_be_visible()
    check_page(page, "search-results")

    form = page.get_by_role("search", name="Search with filters")
    form.get_by_label("Task").select_option(label="Worldview")
    form.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("1 result for"))).to_be_visible()
    expect(page.get_by_role("link", name="Not ready to share")).to_be_visible()
    expect(page.locator(".hit__fragment mark")).to_have_text(re.compile("marigold", re.I))
    check_page(page, "search-filtered-task")

    form = page.get_by_role("search", name="Search with filters")
    form.get_by_label("Task").select_option(label="All four tasks")
    form.get_by_label("Thread").select_option(label="Maya Okafor & Sam Lindqvist — Riverside Peer Respite")
    form.get_by_label("Written by").select_option(label="Sam Lindqvist")
    form.get_by_label("Show").select_option(label="Newest first")
    form.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("3 results for"))).to_be_visible()
    expect(page.get_by_text("Not ready to share")).to_have_count(0)
    check_page(page, "search-filtered-thread-author")

    page.get_by_role("link", name="Clear the filters").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("7 results"))).to_be_visible()
    page.get_by_role("link", name=re.compile("Note on “The kettle conversation”")).click()
    expect(page).to_have_url(re.compile(rf"/entries/{journal.shared.pk}/#note-{journal.note.pk}$"))


def test_the_peer_never_finds_the_private_entry(page, login, journal):
    login(page, journal.peer)
    page.goto(f"/search/?q={PRIVATE_MARKER}")

    expect(page.get_by_role("heading", level=2, name=re.compile("0 results"))).to_be_visible()
    expect(page.locator(".hits")).to_have_count(0)
    check_page(page, "search-nothing")


def test_notifications_lead_to_the_writing_and_count_down(page, login, journal):
    login(page, journal.author)
    page.goto("/account/profile/")
    link = page.get_by_role("link", name=re.compile(r"Notifications\s*4 unread"))
    expect(link).to_be_visible()
    link.click()

    check_page(page, "notifications")
    expect(page.locator(".notice.is-unread")).to_have_count(4)
    expect(page.get_by_text(NOTE_MARKER)).to_have_count(0)
    page.get_by_role("link", name="Sam Lindqvist wrote a note on a reflection in your thread.").click()
    expect(page).to_have_url(re.compile(rf"/entries/{journal.shared.pk}/#note-{journal.note.pk}$"))
    expect(page.get_by_role("link", name=re.compile(r"Notifications\s*3 unread"))).to_be_visible()

    page.get_by_role("link", name=re.compile("Notifications")).click()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("All caught up.")).to_be_visible()
    expect(page.locator(".site-notices__count")).to_have_count(0)
    check_page(page, "notifications-read")


def test_notification_preferences(page, login, author):
    author.time_zone = "America/New_York"
    author.save(update_fields=["time_zone"])
    login(page, author)
    page.goto("/account/profile/")
    page.get_by_role("navigation", name="Account").get_by_role(
        "link", name="Notifications and reminders"
    ).click()
    check_page(page, "notification-preferences")
    expect(page.get_by_text("America/New_York")).to_be_visible()
    expect(page.get_by_label("A daily digest")).to_be_checked()
    expect(page.get_by_label("Send me a weekly reminder to reflect")).not_to_be_checked()

    page.get_by_label("A weekly digest (Mondays)").check()
    page.get_by_label("Send me a weekly reminder to reflect").check()
    page.get_by_label("Day", exact=True).select_option(label="Wednesday")
    page.get_by_label("Time", exact=True).select_option(label="18:00")
    page.get_by_role("button", name="Save preferences").click()

    expect(page.get_by_text("Your notification preferences are saved.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Your next reminder: Wednesday \d+ \w+, 18:00\."))).to_be_visible()
    check_page(page, "notification-preferences-saved")
    prefs = Preferences.objects.get(user=author)
    assert (prefs.digest, prefs.reminder, prefs.reminder_day, prefs.reminder_hour) == ("weekly", True, 2, 18)


def test_the_reminder_email_reads_kindly_and_its_link_unsubscribes_signed_out(page, site_url, author):
    Preferences.objects.create(
        user=author,
        reminder=True,
        reminder_day=4,
        reminder_hour=16,
        reminder_sent=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    london = dt.timezone(dt.timedelta(0))
    send_due(dt.datetime(2026, 3, 6, 16, 2, tzinfo=london))
    [reminder] = mail.outbox

    page.set_content(reminder.alternatives[0][0])
    expect(page.get_by_text("This is the weekly nudge you asked for.")).to_be_visible()
    expect(page.locator("blockquote")).to_have_count(1)  # one prompt, gently offered
    expect(page.get_by_role("link", name="Write when you’re ready")).to_have_attribute(
        "href", f"{site_url}/entries/new/"
    )
    assert_no_axe_violations(page)
    screenshot(page, "email-reminder")

    page.get_by_role("link", name="Stop these reminders").click()  # signed out: no session at all
    expect(page.get_by_role("heading", level=1, name="Weekly reminders")).to_be_visible()
    check_page(page, "unsubscribe-ask")
    page.get_by_role("button", name="Stop reminders").click()
    expect(
        page.get_by_text("You won’t get any more weekly reminders at m…@riverside.example.org.")
    ).to_be_visible()
    check_page(page, "unsubscribe-done")
    prefs = Preferences.objects.get(user=author)
    assert prefs.reminder is False and prefs.digest == "daily"


def test_the_digest_email_and_its_unsubscribe_link(page, site_url, journal):
    Notification.objects.update(created=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC))
    send_due(dt.datetime(2026, 3, 4, 8, 5, tzinfo=dt.UTC))
    [digest] = [m for m in mail.outbox if m.to == [journal.author.email]]

    page.set_content(digest.alternatives[0][0])
    expect(
        page.get_by_role("link", name="Sam Lindqvist wrote a note on a reflection in your thread.")
    ).to_be_visible()
    expect(page.get_by_text("marigold")).to_have_count(0)
    assert_no_axe_violations(page)
    screenshot(page, "email-digest")

    page.get_by_role("link", name="Stop these emails").click()
    page.get_by_role("button", name="Stop activity emails").click()
    expect(page.get_by_text(re.compile("You won’t get any more activity emails"))).to_be_visible()
    assert Preferences.objects.get(user=journal.author).digest == "off"


def test_export_my_data_and_download_it(page, login, journal):
    login(page, journal.author)
    page.goto("/account/profile/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Export my data").click()
    check_page(page, "export")

    page.get_by_role("button", name="Prepare my export").click()
    expect(page.get_by_text("Your export is ready to download.")).to_be_visible()
    check_page(page, "export-ready")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download")).click()
    download = info.value

    assert re.fullmatch(r"ips-journal-export-\d{4}-\d\d-\d\d\.zip", download.suggested_filename)
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    data = json.loads(archive.read("data.json"))
    assert {entry["title"] for entry in data["writing"]["entry"]} == {
        "The kettle conversation",
        "Not ready to share",
    }
    assert NOTE_MARKER not in json.dumps(data)


def test_the_printable_thread(page, login, journal):
    login(page, journal.peer)
    page.goto(f"/threads/{journal.pair.pk}/print/")

    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Bus timetables")).to_be_visible()
    check_page(page, "thread-print")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    screenshot(page, "thread-print-paper")


def test_delete_my_account_after_giving_the_password_again(page, login, journal):
    author_pk = journal.author.pk
    login(page, journal.author)
    page.goto("/account/profile/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Delete my account").click()
    expect(page.get_by_role("heading", level=2, name="What is deleted")).to_be_visible()
    expect(
        page.get_by_text("Your co-reflection thread with Sam Lindqvist closes.", exact=False)
    ).to_be_visible()
    check_page(page, "delete-account")

    page.get_by_label(re.compile("I understand that my account")).check()
    page.get_by_role("button", name="Delete my account and my writing").click()

    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    check_page(page, "delete-account-password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text("Your account and everything you wrote are deleted.")).to_be_visible()
    check_page(page, "deleted")
    assert not User.objects.filter(pk=author_pk).exists()


@pytest.mark.parametrize("look", ["phone", "dark"])
def test_the_pages_hold_up_on_a_phone_and_in_the_dark(request, look, login, journal):
    page = request.getfixturevalue("phone_page" if look == "phone" else "dark_page")
    login(page, journal.author)
    for path, name in [
        ("/search/?q=marigold", "search"),
        ("/notifications/", "notifications"),
        ("/account/notifications/", "notification-preferences"),
        ("/account/export/", "export"),
        ("/account/delete/", "delete-account"),
        (f"/threads/{journal.pair.pk}/print/", "thread-print"),
    ]:
        page.goto(path)
        check_page(page, f"{look}-{name}")
