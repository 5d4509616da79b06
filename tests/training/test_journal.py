"""The trainee's journal: the current day opens first, every day is writable, entries are the
same entries as elsewhere (task, Markdown, revisions, drafts, conflict detection), sharing with the
trainers is a per-entry choice that is off by default."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reflections.forms import sign_author
from reflections.models import Draft, Entry, Revision, Task
from reflections.rendering import render_markdown
from reflections.weeks import week_start
from tests.conftest import PASSWORD
from tests.training.conftest import PRIVATE_MARKER, SHARED_BODY, write
from training import flows
from training.models import CohortDay, TrainingEntry


def day_url(cohort, number):
    return reverse("training:day", args=[cohort.pk, number])


def write_url(cohort, number):
    return reverse("training:entry-create", args=[cohort.pk, number])


# The current day -----------------------------------------------------------------------------
def days_on(*dates):
    return [CohortDay(number=n, date=date) for n, date in enumerate(dates, start=1)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2027, 3, 1), 1),  # before the training: Day 1
        (dt.date(2027, 3, 4), 1),
        (dt.date(2027, 3, 5), 2),
        (dt.date(2027, 3, 6), 2),  # the weekend between re-dated days: the latest day so far
        (dt.date(2027, 3, 7), 2),
        (dt.date(2027, 3, 8), 3),
        (dt.date(2027, 3, 10), 5),
        (dt.date(2027, 3, 11), None),  # after the training: the summary
    ],
)
def test_the_journal_opens_on_the_current_day(today, expected):
    days = days_on(
        dt.date(2027, 3, 4),
        dt.date(2027, 3, 5),
        dt.date(2027, 3, 8),
        dt.date(2027, 3, 9),
        dt.date(2027, 3, 10),
    )

    day = flows.current_day(days, today)

    assert (day.number if day else None) == expected


def test_the_journal_link_opens_todays_page(client_for, trainee, cohort):
    response = client_for(trainee).get(reverse("training:journal", args=[cohort.pk]))

    assert response.status_code == 302
    assert response["Location"] == day_url(cohort, 2)


def test_after_the_training_the_journal_opens_the_summary(client_for, trainee, cohort):
    CohortDay.objects.filter(cohort=cohort).update(date=dt.date(2026, 1, 5))
    for number, day in enumerate(cohort.days.all()):
        CohortDay.objects.filter(pk=day.pk).update(date=dt.date(2026, 1, 5) + dt.timedelta(days=number))

    response = client_for(trainee).get(reverse("training:journal", args=[cohort.pk]))

    assert response["Location"] == reverse("training:summary", args=[cohort.pk])


def test_today_is_the_trainees_own_day(client_for, trainee, cohort, days):
    """Late evening in Auckland is already the next day: the trainee's time zone decides."""
    trainee.time_zone = "Pacific/Kiritimati"  # UTC+14
    trainee.save(update_fields=["time_zone"])
    local_today = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=14))).date()
    expected = next((d.number for d in days.values() if d.date == local_today), None)

    response = client_for(trainee).get(reverse("training:journal", args=[cohort.pk]))

    if expected:
        assert response["Location"] == day_url(cohort, expected)


# The day page --------------------------------------------------------------------------------
def test_a_day_page_shows_its_title_topics_and_prompts(client_for, trainee, cohort):
    response = client_for(trainee).get(day_url(cohort, 2))

    assert response.status_code == 200
    assert "Day 2 — Worldview and language" in response.text
    assert "The power of language" in response.text
    assert "Which words did I catch myself using today, and what worldview do they carry?" in response.text
    assert "Private." in response.text
    assert "A gentle note" not in response.text


def test_day_five_carries_a_gentle_content_note(client_for, trainee, cohort):
    page = client_for(trainee).get(day_url(cohort, 5))
    write_page = client_for(trainee).get(write_url(cohort, 5))

    for response in (page, write_page):
        assert "A gentle note before you begin" in response.text
        assert "Nothing from this day needs to be shared" in response.text


def test_trainers_edit_their_cohorts_outline_and_trainees_see_it(client_for, trainee, cohort, days):
    days[2].prompts = "Which of my words came from the system?"
    days[2].save()

    response = client_for(trainee).get(day_url(cohort, 2))

    assert "Which of my words came from the system?" in response.text
    assert "what worldview do they carry" not in response.text


def test_an_unknown_day_is_not_found(client_for, trainee, cohort):
    assert client_for(trainee).get(day_url(cohort, 6)).status_code == 404


def test_every_day_is_writable_past_and_future(client_for, trainee, cohort):
    for number in (1, 5):
        response = client_for(trainee).post(
            write_url(cohort, number),
            {"task": Task.CONNECTION, "title": "", "body": f"Writing on day {number}."},
        )
        assert response.status_code == 302

    assert sorted(TrainingEntry.objects.values_list("day__number", flat=True)) == [1, 5]


# Writing -------------------------------------------------------------------------------------
def test_a_new_entry_is_private_by_default(client_for, trainee, cohort, days):
    client = client_for(trainee)
    response = client.post(
        write_url(cohort, 3),
        {"task": Task.MUTUALITY, "title": "A pattern I know", "body": "When someone is upset I go *quiet*."},
    )

    training_entry = TrainingEntry.objects.select_related("entry").get()
    assert response.status_code == 302
    assert response["Location"] == f"{day_url(cohort, 3)}#entry-{training_entry.pk}"
    assert training_entry.day == days[3]
    assert training_entry.shared is None
    entry = training_entry.entry
    assert (entry.author, entry.task, entry.title) == (trainee, Task.MUTUALITY, "A pattern I know")
    assert entry.week == week_start(days[3].date)
    assert entry.body_html == render_markdown("When someone is upset I go *quiet*.")
    page = client.get(response["Location"])
    assert "Saved on Day 3. Only you can read it." in page.text


def test_a_new_entry_can_be_shared_straight_away(client_for, trainee, cohort):
    response = client_for(trainee).post(
        write_url(cohort, 1), {"task": Task.CONNECTION, "body": "Curiosity.", "share": "on"}, follow=True
    )

    assert TrainingEntry.objects.get().shared is not None
    assert "Saved on Day 1 and shared with your trainers." in response.text


def test_the_write_page_shows_the_days_prompts_and_the_sharing_choice_unticked(client_for, trainee, cohort):
    response = client_for(trainee).get(write_url(cohort, 1))

    assert response.status_code == 200
    assert "Day 1 prompts" in response.text
    assert "What did “help” mean to me before today? What is shifting?" in response.text
    assert 'name="share"' in response.text
    assert 'name="share" checked' not in response.text
    assert 'name="week"' not in response.text
    assert "js/write.js" in response.text  # autosave and preview, as on every write page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"task": "", "body": "Something."}, "Choose one of the four tasks."),
        ({"task": "kindness", "body": "Something."}, "Select a valid choice."),
        ({"task": Task.CONNECTION, "body": "   "}, "Write something before saving"),
        ({"task": Task.CONNECTION, "body": "x", "title": "t" * 201}, "at most 200 characters"),
    ],
)
def test_a_form_with_mistakes_keeps_the_text(client_for, trainee, cohort, data, message):
    response = client_for(trainee).post(write_url(cohort, 1), {"title": "Kept title", **data})

    assert response.status_code == 400
    assert message in response.text
    assert not Entry.objects.exists()
    if data.get("body", "").strip():
        assert data["body"] in response.text


def test_editing_keeps_a_revision_and_stays_on_its_day(client_for, trainee, cohort, shared_entry):
    response = client_for(trainee).post(
        reverse("training:entry-edit", args=[shared_entry.pk]),
        {"task": Task.WORLDVIEW, "title": "Changed", "body": "A second thought.", "version": 1},
    )

    entry = Entry.objects.get(pk=shared_entry.pk)
    assert response.status_code == 302
    assert response["Location"] == f"{day_url(cohort, 1)}#entry-{entry.pk}"
    assert (entry.version, entry.title, entry.task) == (2, "Changed", Task.WORLDVIEW)
    assert Revision.objects.get(entry=entry).body == SHARED_BODY
    assert TrainingEntry.objects.get(pk=entry.pk).day.number == 1


def test_an_edit_on_an_out_of_date_copy_shows_both_texts(client_for, trainee, cohort, shared_entry):
    url = reverse("training:entry-edit", args=[shared_entry.pk])
    client_for(trainee).post(url, {"task": Task.CONNECTION, "body": "Saved in the other tab.", "version": 1})

    response = client_for(trainee).post(
        url, {"task": Task.CONNECTION, "body": "Typed in this tab.", "version": 1}
    )

    assert response.status_code == 409
    assert "This entry changed while you were writing" in response.text
    assert "Saved in the other tab." in response.text and "Typed in this tab." in response.text
    assert Entry.objects.get(pk=shared_entry.pk).body == "Saved in the other tab."


def test_a_save_after_the_session_expired_is_saved_on_its_day_after_signing_in(trainee, cohort, days):
    browser = Client()
    url = write_url(cohort, 2)
    typed = {
        "task": Task.WORLDVIEW,
        "title": "Words",
        "body": "Words I inherited.",
        "author_token": sign_author(trainee),
    }

    response = browser.post(url, typed)

    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query) == {"next": [f"{url}?resume=1"]}
    assert not Entry.objects.exists()
    signed_in = browser.post(reverse("account_login"), {"login": trainee.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    page = browser.get(f"{url}?resume=1", follow=True)
    training_entry = TrainingEntry.objects.select_related("entry").get()
    assert (training_entry.entry.body, training_entry.day, training_entry.shared) == (
        "Words I inherited.",
        days[2],
        None,
    )
    assert page.redirect_chain[-1][0] == f"{day_url(cohort, 2)}#entry-{training_entry.pk}"


def test_drafts_autosaved_on_a_day_are_offered_on_that_day(client_for, trainee, cohort, days):
    client = client_for(trainee)
    page = client.get(write_url(cohort, 3))
    key = page.context["form"]["draft_key"].value()
    assert key.startswith(f"day{days[3].pk}-")
    client.post(
        reverse("reflections:draft-save"), {"draft_key": key, "task": "connection", "body": "Half a thought"}
    )
    draft = Draft.objects.get()

    day_three = client.get(day_url(cohort, 3))
    day_two = client.get(day_url(cohort, 2))
    resumed = client.get(f"{write_url(cohort, 3)}?draft={draft.pk}")

    assert "Half a thought" in day_three.text and "Unfinished writing" in day_three.text
    assert "Half a thought" not in day_two.text
    assert "Half a thought" in resumed.text
    assert client.get(f"{write_url(cohort, 2)}?draft={draft.pk}").status_code == 404
    assert client.get(f"{write_url(cohort, 3)}?draft=not-a-number").status_code == 404


# Sharing -------------------------------------------------------------------------------------
def test_sharing_and_unsharing_an_entry(client_for, trainee, trainer, cohort, private_entry):
    client = client_for(trainee)

    client.post(reverse("training:entry-share", args=[private_entry.pk]))
    assert Entry.objects.visible_to(trainer).filter(pk=private_entry.pk).exists()

    client.post(reverse("training:entry-unshare", args=[private_entry.pk]))
    assert not Entry.objects.visible_to(trainer).filter(pk=private_entry.pk).exists()


def test_after_feedback_an_entry_stays_shared(client_for, trainee, cohort, shared_entry, feedback):
    response = client_for(trainee).post(
        reverse("training:entry-unshare", args=[shared_entry.pk]), follow=True
    )

    assert TrainingEntry.objects.get(pk=shared_entry.pk).is_shared
    assert "already written feedback on this entry, so it stays shared" in response.text
    assert "Make private again" not in client_for(trainee).get(day_url(cohort, 1)).text


def test_a_trainee_deletes_an_entry_after_confirming(client_for, trainee, cohort, shared_entry, feedback):
    url = reverse("training:entry-delete", args=[shared_entry.pk])
    confirm = client_for(trainee).get(url)

    response = client_for(trainee).post(url)

    assert "1 piece of feedback from your trainers" in confirm.text
    assert response["Location"] == day_url(cohort, 1)
    assert not Entry.objects.filter(pk=shared_entry.pk).exists()


# The same entries as elsewhere -----------------------------------------------------------------
def test_the_entry_page_of_a_journal_entry_leads_to_its_journal_page(
    client_for, trainee, trainer, cohort, shared_entry
):
    url = reverse("reflections:entry-detail", args=[shared_entry.pk])

    mine = client_for(trainee).get(url)
    trainers = client_for(trainer).get(url)

    assert mine["Location"] == f"{day_url(cohort, 1)}#entry-{shared_entry.pk}"
    expected = reverse("training:trainee-journal", args=[cohort.pk, trainee.pk])
    assert trainers["Location"] == f"{expected}#entry-{shared_entry.pk}"


def test_my_entries_says_who_can_read_a_journal_entry(client_for, trainee, private_entry, shared_entry):
    response = client_for(trainee).get(reverse("reflections:entry-list"))

    assert "Training journal · private" in response.text
    assert "Training journal · shared with your trainers" in response.text


def test_the_revision_history_of_a_journal_entry_is_the_authors_alone(
    client_for, trainee, trainer, shared_entry
):
    flows_edit = {"task": Task.CONNECTION, "body": "Later.", "version": 1}
    client_for(trainee).post(reverse("training:entry-edit", args=[shared_entry.pk]), flows_edit)
    url = reverse("reflections:entry-revisions", args=[shared_entry.pk])

    assert client_for(trainee).get(url).status_code == 200
    assert client_for(trainer).get(url).status_code == 403


def test_the_journal_stays_with_a_trainee_who_becomes_a_peer_worker(
    client_for, trainee, team, cohort, private_entry
):
    from accounts.flows import change_role
    from accounts.models import Membership, Role

    change_role(Membership.objects.get(team=team, user=trainee, role=Role.TRAINEE), Role.PEER)
    client = client_for(trainee)

    dashboard = client.get(reverse("reflections:dashboard"))
    page = client.get(day_url(cohort, 1))

    assert cohort.name in dashboard.text
    assert reverse("training:journal", args=[cohort.pk]) in dashboard.text
    assert page.status_code == 200
    assert PRIVATE_MARKER in page.text


def test_a_trainee_reads_only_their_own_journal(client_for, co_trainee, cohort, private_entry):
    response = client_for(co_trainee).get(day_url(cohort, 1))

    assert response.status_code == 200
    assert PRIVATE_MARKER not in response.text
    assert (
        client_for(co_trainee).get(reverse("training:entry-edit", args=[private_entry.pk])).status_code == 404
    )


def test_the_trainees_day_tabs_count_their_entries(client_for, trainee, co_trainee, days, cohort):
    write(trainee, days[1], "One.")
    write(trainee, days[1], "Two.")
    write(co_trainee, days[2], "Not Leah's.")

    response = client_for(trainee).get(day_url(cohort, 1))

    tabs = response.text.split('class="day-nav"')[1].split("</nav>")[0]
    assert "2 entries" in tabs
    assert tabs.count("entry</span>") == 0 and "1 entry" not in tabs


@pytest.mark.parametrize("url_name", ["training:day", "training:summary"])
def test_the_journal_pages_take_the_same_queries_however_much_was_written(
    client_for, trainer, trainee, cohort, days, url_name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(trainee)
    kwargs = {"cohort_id": cohort.pk, "number": 1} if url_name == "training:day" else {"cohort_id": cohort.pk}
    url = reverse(url_name, kwargs=kwargs)

    def measure():
        client.get(url)  # the first request of a session records it; measure the next
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    shared = write(trainee, days[1], "One shared entry.", shared=True)
    flows.reply(flows.give_feedback(shared, trainer, "Thank you."), trainee, "And thank you.")
    few = measure()
    for n in range(10):
        entry = write(trainee, days[1 + n % 5], f"Entry {n}.", shared=n % 2 == 0)
        if n % 2 == 0:
            feedback = flows.give_feedback(entry, trainer, f"Feedback {n}.")
            flows.reply(feedback, trainee, f"Reply {n}.")
            flows.reply(feedback, trainer, f"Answer {n}.")
    many = measure()

    assert many == few, f"{few} queries with one entry, {many} with eleven"
    assert few <= 24, few
