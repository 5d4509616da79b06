"""The five-day training journal end to end, as people do it in Chromium, with axe on every page.

Tom (trainer) starts a cohort and invites Noor by email; Noor accepts, writes on Day 1 and on
Day 3, and shares the Day 3 entry with the trainers; Tom reads it (never the Day 1 entry) and
leaves feedback; Noor sees it on her dashboard and day page, replies, and opens her summary. The
day page, cohort page and summary hold up on a phone too.
"""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Membership, Role
from reflections.models import Task
from tests.browser.conftest import check_page
from tests.conftest import make_person
from training import flows
from training.models import Cohort, Feedback, TrainingEntry

PRIVATE_DAY_ONE = "I kept wanting to hand her a leaflet. Nobody else needs to read this yet."
SHARED_DAY_THREE = (
    "When someone is upset I go quiet and practical. Today I wondered whether that is care or protection."
)
FEEDBACK = "It can be **both**, and noticing it is the start. What would staying a moment longer look like?"


def invitation_link(to):
    sent = [message for message in mail.outbox if to in message.to]
    assert sent, f"no mail to {to}"
    return re.search(r"https?://\S+/invitations/\S+/", sent[-1].body).group(0)


def status(page):
    return page.get_by_role("status").first


def write_entry(page, task_label, title, body, *, share=False):
    page.locator("label.task-choice", has_text=task_label).click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your reflection").fill(body)
    if share:
        page.get_by_label("Share this entry with the cohort’s trainers").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()


@pytest.fixture(autouse=True)
def outline(transactional_db):
    """The five-day outline is data, loaded by a migration. A transactional test empties every
    table when it ends, so load it again for these (the migration's own function; idempotent)."""
    migration = importlib.import_module("training.migrations.0002_default_outline")
    migration.load_outline(django_apps, None)


def test_a_trainer_runs_a_cohort_and_a_trainee_keeps_a_journal(
    page, new_person_context, login, team, trainer
):
    noor = make_person("noor.haddad@mailbox.example.net", "Noor Haddad")
    tom = login(page, trainer)

    # Tom starts a cohort today and invites Noor.
    tom.goto("/training/")
    check_page(tom, "training-home")
    tom.get_by_label("Name").fill("Spring core training")
    tom.get_by_role("button", name="Start the cohort").click()
    expect(tom.get_by_role("heading", level=1)).to_have_text("Spring core training")
    expect(status(tom)).to_contain_text("Spring core training is ready")
    check_page(tom, "cohort-new")
    tom.get_by_label("Email addresses").fill("noor.haddad@mailbox.example.net")
    tom.get_by_role("button", name="Send invitations").click()
    expect(status(tom)).to_contain_text("An invitation is on its way to noor.haddad@mailbox.example.net")
    expect(tom.get_by_role("main")).to_contain_text("Waiting for an answer")
    check_page(tom, "cohort-invited")
    cohort = Cohort.objects.get()
    assert list(cohort.members.values_list("user", "role")) == [(trainer.pk, "trainer")]
    assert len(cohort.days.all()) == 5

    # Noor accepts on her own computer and finds her journal on the dashboard.
    trainee = login(new_person_context().new_page(), noor)
    trainee.goto(invitation_link(noor.email))
    check_page(trainee, "training-invitation")
    trainee.get_by_role("button", name="Accept and join").click()
    expect(status(trainee)).to_contain_text("You joined as a trainee")
    check_page(trainee, "dashboard-trainee")
    assert Membership.objects.filter(team=team, user=noor, role=Role.TRAINEE).exists()
    trainee.get_by_role("link", name="Spring core training").click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text("Day 1 — Foundations")
    expect(trainee.get_by_role("link", name=re.compile("^Day 1")).first).to_have_attribute(
        "aria-current", "page"
    )
    check_page(trainee, "day-1")

    # Day 1: a private entry.
    trainee.get_by_role("link", name="Write on Day 1").click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text("Write on Day 1")
    expect(trainee.get_by_role("complementary", name="Who can read this")).to_contain_text("Private.")
    check_page(trainee, "write-day-1")
    write_entry(trainee, "Connection", "The leaflet", PRIVATE_DAY_ONE)
    expect(status(trainee)).to_contain_text("Saved on Day 1. Only you can read it.")
    expect(trainee.locator(".journal-entry")).to_contain_text("Private — only you")
    check_page(trainee, "day-1-written")

    # Day 3 (catching up ahead is fine too): written, then shared from the day page.
    trainee.get_by_role("navigation", name="Training days").get_by_role(
        "link", name=re.compile("^Day 3")
    ).click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text("Day 3 — Trauma and mutuality")
    trainee.get_by_role("link", name="Write on Day 3").click()
    write_entry(trainee, "Mutuality", "Quiet and practical", SHARED_DAY_THREE)
    trainee.get_by_role("button", name=re.compile("^Share with my trainers")).click()
    expect(status(trainee)).to_contain_text("Shared with your trainers.")
    expect(trainee.locator(".journal-entry")).to_contain_text("Shared with your trainers")
    check_page(trainee, "day-3-shared")
    shared = TrainingEntry.objects.get(shared__isnull=False)
    assert shared.day.number == 3 and TrainingEntry.objects.filter(shared__isnull=True).count() == 1

    # Tom sees who wrote and what was shared, reads the shared entry (never the private one) and
    # leaves feedback.
    tom.reload()
    grid = tom.get_by_role("table")
    expect(grid).to_contain_text("Noor Haddad")
    expect(grid).to_contain_text("1 awaits feedback")
    expect(grid).to_contain_text("kept private")
    check_page(tom, "cohort-grid")
    grid.get_by_role("link", name="Noor Haddad", exact=True).click()
    expect(tom.get_by_role("main")).to_contain_text("care or protection")
    expect(tom.get_by_role("main")).not_to_contain_text("leaflet")
    check_page(tom, "trainee-journal")
    tom.get_by_label("Your feedback for Noor Haddad").fill(FEEDBACK)
    tom.get_by_role("button", name="Save feedback").click()
    expect(status(tom)).to_contain_text("Your feedback is saved")
    expect(tom.locator(".feedback")).to_contain_text("It can be both")
    check_page(tom, "trainee-journal-feedback")
    assert Feedback.objects.get().entry_id == shared.pk

    # Noor sees it on her dashboard and on the day page, replies, and opens her summary.
    trainee.goto("/")
    expect(trainee.get_by_role("main")).to_contain_text("New from your trainers")
    check_page(trainee, "dashboard-feedback")
    trainee.get_by_role("link", name=re.compile("Tom Achterberg left feedback")).click()
    feedback = trainee.locator(".feedback")
    expect(feedback).to_contain_text("It can be both")
    expect(feedback.locator(".feedback__body strong")).to_have_text("both")
    expect(feedback).to_contain_text("New")
    check_page(trainee, "day-3-feedback")
    feedback.locator("summary", has_text="Reply").click()
    trainee.get_by_label("Your reply to Tom Achterberg").fill("Staying would mean not reaching for a fix.")
    trainee.get_by_role("button", name="Send reply").click()
    expect(status(trainee)).to_contain_text("Your reply is added.")
    trainee.get_by_role("link", name="Summary").first.click()
    main = trainee.get_by_role("main")
    expect(main).to_contain_text("What one practice will I carry into my first co-reflection?")
    expect(main).to_contain_text("The leaflet")
    expect(main).to_contain_text("It can be both")
    expect(main).to_contain_text("Not yet written about: Worldview, Moving Towards.")
    check_page(trainee, "summary")

    # The printable page and the Markdown file.
    trainee.get_by_role("link", name="Printable journal").click()
    expect(trainee.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    check_page(trainee, "print")
    with trainee.expect_download() as download:
        trainee.get_by_role("link", name="Download as Markdown").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: PTH123
    assert "## Day 1 — Foundations" in text and "## Day 3 — Trauma and mutuality" in text
    assert PRIVATE_DAY_ONE in text and "#### Feedback from Tom Achterberg" in text


def test_the_journal_and_the_cohort_page_on_a_phone(phone_page, login, team, trainer, trainee):
    cohort = flows.create_cohort(trainer, team, name="Spring core training", start=dt.date.today())  # noqa: DTZ011
    flows.enrol(cohort, trainee)
    days = {day.number: day for day in cohort.days.all()}
    entry = flows.write_entry(
        trainee,
        days[1],
        {"task": Task.WORLDVIEW, "title": "Words I inherit", "body": "Non-compliant came with me."},
        share=True,
    )
    flows.give_feedback(entry.training, trainer, "Whose word is it? Worth noticing.")

    login(phone_page, trainee)
    for path, name in [
        (f"/training/journal/{cohort.pk}/days/1/", "phone-day-1"),
        (f"/training/journal/{cohort.pk}/days/5/", "phone-day-5"),
        (f"/training/journal/{cohort.pk}/days/1/write/", "phone-write"),
        (f"/training/journal/{cohort.pk}/summary/", "phone-summary"),
    ]:
        phone_page.goto(path)
        check_page(phone_page, name)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone"
    expect(phone_page.get_by_role("complementary", name="A gentle note before you begin")).to_have_count(0)

    phone_page.context.clear_cookies()
    login(phone_page, trainer)
    phone_page.goto(f"/training/cohorts/{cohort.pk}/")
    check_page(phone_page, "phone-cohort")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
