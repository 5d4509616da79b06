"""The summary, the exports (Markdown download and a printable page), and the demo cohort."""

import datetime as dt
import io

from django.core.management import call_command
from django.urls import reverse

from accounts.demo import seed_people
from reflections.models import Task
from reflections.weeks import user_today
from tests.training.conftest import PRIVATE_MARKER, SHARED_BODY, write
from training import flows
from training.demo import COHORT_NAME, seed_training
from training.models import Cohort, CohortDay, DayVisit, Feedback, TrainingEntry


def summary_url(cohort):
    return reverse("training:summary", args=[cohort.pk])


def test_the_summary_shows_the_five_days_entries_feedback_tasks_and_a_closing_prompt(
    client_for, trainee, cohort, days, private_entry, shared_entry, feedback
):
    write(trainee, days[3], "Patterns.", task=Task.MUTUALITY)
    flows.reply(feedback, trainee, "It was her pausing.")

    response = client_for(trainee).get(summary_url(cohort))

    text = response.text
    assert response.status_code == 200
    for day in days.values():
        assert f"Day {day.number} — {day.title}" in text
    assert PRIVATE_MARKER in text and "What “help” used to mean" in text
    assert feedback.body_html in text and "It was her pausing." in text
    assert "What one practice will I carry into my first co-reflection?" in text
    assert "Not yet written about: Moving Towards." in text
    counts = text.split('class="task-counts"')[1].split("</ul>")[0]
    assert counts.count("1 entry") == 3 and "0 entries" in counts
    assert reverse("training:entry-create", args=[cohort.pk, 5]) in text
    assert "Your journal so far" in text


def test_after_day_five_the_summary_looks_back(client_for, trainee, cohort):
    for number, day in enumerate(cohort.days.all()):
        CohortDay.objects.filter(pk=day.pk).update(date=dt.date(2026, 1, 5) + dt.timedelta(days=number))

    assert "Your five days, looking back" in client_for(trainee).get(summary_url(cohort)).text


def test_the_markdown_export_is_one_file_with_headings_by_day(
    client_for, trainee, cohort, private_entry, feedback
):
    response = client_for(trainee).get(reverse("training:export-markdown", args=[cohort.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="training-journal-spring-core-training.md"'
    )
    text = response.content.decode()
    assert text.startswith("# Training journal — Spring core training\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Day 1 — Foundations",
        "## Day 2 — Worldview and language",
        "## Day 3 — Trauma and mutuality",
        "## Day 4 — Moving towards",
        "## Day 5 — Living it",
    ]
    assert f"### Not ready {PRIVATE_MARKER}" in text
    assert SHARED_BODY in text  # the trainee's own Markdown, as written
    assert "#### Feedback from Tom Achterberg" in text
    assert "> Curiosity as **the most useful thing** you have — hold on to that." in text
    assert "*Nothing written on this day.*" in text


def test_the_printable_page_is_laid_out_for_paper(client_for, trainee, cohort, private_entry):
    response = client_for(trainee).get(reverse("training:export-print", args=[cohort.pk]))

    assert response.status_code == 200
    assert 'class="page-print"' in response.text
    assert "js/training.js" in response.text
    assert PRIVATE_MARKER in response.text
    assert "Print or save as PDF" in response.text


def test_the_print_stylesheet_hides_the_screen_furniture_and_breaks_pages_by_day():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/app.css").read_text()
    training = css.split("/* ---------- Training journal (training/) ----------")[1]
    print_rules = training.split("@media print {")[1]
    assert ".print-toolbar" in print_rules and ".print-day { break-before: page; }" in print_rules


def test_nobody_else_can_export_a_journal(client_for, trainer, co_trainee, cohort, private_entry):
    for url in (
        reverse("training:export-markdown", args=[cohort.pk]),
        reverse("training:export-print", args=[cohort.pk]),
        summary_url(cohort),
    ):
        assert client_for(trainer).get(url).status_code == 404
        assert PRIVATE_MARKER not in client_for(co_trainee).get(url).content.decode()


# Demo data -----------------------------------------------------------------------------------
def test_the_demo_cohort_is_mid_training_with_three_trainees_and_some_feedback(db):
    team, people = seed_people()

    cohort = seed_training(team, people)
    seed_training(team, people)  # safe to run again

    assert Cohort.objects.filter(name=COHORT_NAME).count() == 1
    trainees = set(cohort.members.filter(role="trainee").values_list("user__email", flat=True))
    assert trainees == {
        "leah@riverside.example.org",
        "kwame@riverside.example.org",
        "ines@riverside.example.org",
    }
    entries = TrainingEntry.objects.filter(day__cohort=cohort)
    assert set(entries.values_list("day__number", flat=True)) == {1, 2, 3}
    for person in ("leah", "kwame", "ines"):
        assert set(entries.filter(entry__author=people[person]).values_list("day__number", flat=True)) == {
            1,
            2,
            3,
        }
    assert entries.filter(shared__isnull=True).exists() and entries.filter(shared__isnull=False).exists()
    assert Feedback.objects.filter(entry__day__cohort=cohort).count() == 4
    assert flows.current_day(list(cohort.days.all()), user_today(people["tom"])).number == 4
    assert DayVisit.objects.exists()


def test_seed_demo_includes_the_training_cohort(db):
    call_command("seed_demo", stdout=io.StringIO())

    assert Cohort.objects.filter(name=COHORT_NAME).exists()
