"""Feedback: the cohort's trainers write it on shared entries (Markdown through the one render
function); the trainee sees it on the day page and the dashboard; both sides reply."""

import pytest
from django.urls import reverse

from reflections.rendering import render_markdown
from tests.training.conftest import PRIVATE_MARKER, write
from training import flows
from training.models import Feedback, FeedbackReply, TrainerRead


def day_url(cohort, number):
    return reverse("training:day", args=[cohort.pk, number])


def journal_url(cohort, trainee):
    return reverse("training:trainee-journal", args=[cohort.pk, trainee.pk])


def test_a_trainer_reads_what_a_trainee_shared_and_nothing_else(
    client_for, trainer, trainee, cohort, private_entry, shared_entry
):
    response = client_for(trainer).get(journal_url(cohort, trainee))

    assert response.status_code == 200
    assert "What “help” used to mean" in response.text
    assert PRIVATE_MARKER not in response.text
    assert list(TrainerRead.objects.values_list("reader", "entry")) == [(trainer.pk, shared_entry.pk)]


def test_a_trainer_leaves_feedback_in_markdown(client_for, trainer, trainee, cohort, shared_entry):
    response = client_for(trainer).post(
        reverse("training:feedback-create", args=[shared_entry.pk]),
        {"body": "What helped you **let it go**? <script>alert(1)</script>"},
    )

    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{journal_url(cohort, trainee)}#feedback-{feedback.pk}"
    assert (feedback.entry_id, feedback.author) == (shared_entry.pk, trainer)
    # Through the one render function: Markdown to HTML, the raw <script> never through.
    assert feedback.body_html == render_markdown("What helped you **let it go**? <script>alert(1)</script>")
    assert "<script>" not in feedback.body_html


def test_empty_feedback_is_refused_with_a_message(client_for, trainer, trainee, cohort, shared_entry):
    response = client_for(trainer).post(
        reverse("training:feedback-create", args=[shared_entry.pk]), {"body": "  "}
    )

    assert response.status_code == 400
    assert "Write your feedback before saving it." in response.text
    assert not Feedback.objects.exists()


def test_feedback_is_only_for_shared_entries_and_only_from_trainers(
    client_for, trainer, trainee, co_trainee, other_trainer, supervisor, private_entry, shared_entry
):
    url = reverse("training:feedback-create", args=[shared_entry.pk])

    assert (
        client_for(trainer)
        .post(reverse("training:feedback-create", args=[private_entry.pk]), {"body": "Hi"})
        .status_code
        == 404
    )
    assert client_for(trainee).post(url, {"body": "Hi"}).status_code == 403
    for outsider in (co_trainee, other_trainer, supervisor):
        assert client_for(outsider).post(url, {"body": "Hi"}).status_code == 404
    assert not Feedback.objects.exists()


def test_the_trainee_sees_new_feedback_on_the_day_page_and_the_dashboard(
    client_for, trainee, cohort, shared_entry, feedback
):
    client = client_for(trainee)

    dashboard = client.get(reverse("reflections:dashboard"))
    day = client.get(day_url(cohort, 1))
    dashboard_after = client.get(reverse("reflections:dashboard"))

    assert "New from your trainers" in dashboard.text
    assert "Tom Achterberg left feedback on “What “help” used to mean”" in dashboard.text
    assert f"{day_url(cohort, 1)}#feedback-{feedback.pk}" in dashboard.text
    assert feedback.body_html in day.text
    assert 'class="unread-dot">New<' in day.text
    assert "Read by" in day.text or "have not opened it yet" in day.text
    assert "New from your trainers" not in dashboard_after.text
    assert feedback.body_html not in dashboard_after.text
    assert 'class="unread-dot">New<' not in client.get(day_url(cohort, 1)).text


def test_the_trainee_sees_which_trainers_read_a_shared_entry(
    client_for, trainer, trainee, cohort, shared_entry
):
    client_for(trainer).get(journal_url(cohort, trainee))

    response = client_for(trainee).get(day_url(cohort, 1))

    assert "Read by Tom Achterberg" in response.text


def test_the_trainee_and_the_trainers_reply(client_for, trainer, other_trainer, trainee, cohort, feedback):
    flows.add_trainer(cohort, other_trainer)
    url = reverse("training:reply-create", args=[feedback.pk])

    mine = client_for(trainee).post(url, {"body": "It was her *pausing*."})
    theirs = client_for(other_trainer).post(url, {"body": "Pauses are underrated."})

    replies = list(FeedbackReply.objects.order_by("created"))
    assert [(r.author, r.body) for r in replies] == [
        (trainee, "It was her *pausing*."),
        (other_trainer, "Pauses are underrated."),
    ]
    assert mine["Location"] == f"{day_url(cohort, 1)}#reply-{replies[0].pk}"
    assert theirs["Location"] == f"{journal_url(cohort, trainee)}#reply-{replies[1].pk}"
    assert (
        render_markdown("It was her *pausing*.") in client_for(trainer).get(journal_url(cohort, trainee)).text
    )


def test_an_empty_reply_keeps_the_page_and_says_why(client_for, trainee, cohort, feedback):
    response = client_for(trainee).post(reverse("training:reply-create", args=[feedback.pk]), {"body": ""})

    assert response.status_code == 400
    assert "Write your reply before sending it." in response.text
    assert "Day 1 — Foundations" in response.text
    assert not FeedbackReply.objects.exists()


def test_others_cannot_reply(client_for, co_trainee, other_trainer, supervisor, stranger, feedback):
    url = reverse("training:reply-create", args=[feedback.pk])

    for outsider in (co_trainee, other_trainer, supervisor, stranger):
        assert client_for(outsider).post(url, {"body": "Hello"}).status_code == 404
    assert not FeedbackReply.objects.exists()


def test_only_its_author_edits_or_deletes_feedback(client_for, trainer, trainee, cohort, feedback):
    edit = reverse("training:feedback-edit", args=[feedback.pk])
    delete = reverse("training:feedback-delete", args=[feedback.pk])

    assert client_for(trainee).get(edit).status_code == 403
    assert client_for(trainee).post(delete).status_code == 403
    response = client_for(trainer).post(edit, {"body": "Curiosity — keep it."})
    feedback.refresh_from_db()
    assert response.status_code == 302
    assert feedback.body == "Curiosity — keep it."
    assert feedback.updated > feedback.created
    client_for(trainer).post(delete)
    assert not Feedback.objects.exists()


def test_replies_are_deleted_by_their_author_only(client_for, trainer, trainee, feedback):
    reply = flows.reply(feedback, trainee, "Thank you.")
    url = reverse("training:reply-delete", args=[reply.pk])

    assert client_for(trainer).post(url).status_code == 403
    assert client_for(trainee).post(url).status_code == 302
    assert not FeedbackReply.objects.exists()


@pytest.mark.parametrize("reply_last", [False, True])
def test_the_trainers_dashboard_shows_what_waits_for_feedback(
    client_for, trainer, trainee, days, feedback, reply_last
):
    write(trainee, days[2], "Shared, no feedback yet.", shared=True)
    if reply_last:
        flows.reply(feedback, trainee, "Thank you.")

    response = client_for(trainer).get(reverse("reflections:dashboard"))

    waiting = 2 if reply_last else 1
    assert "Cohorts you train" in response.text
    expected = "1 shared entry waits for feedback" if waiting == 1 else "2 shared entries wait for feedback"
    assert expected in response.text


def test_people_without_training_pay_one_query_on_the_dashboard(
    client_for, author, django_assert_num_queries
):
    from training.templatetags.training_dashboard import training_panel

    class Context(dict):
        pass

    request = type("Request", (), {"user": author})()
    with django_assert_num_queries(1):
        assert training_panel(Context(request=request)) == {"journals": [], "cohorts": []}


def test_feedback_on_an_entry_unshared_a_moment_ago_is_refused(
    client_for, trainer, trainee, cohort, shared_entry
):
    from django.core.exceptions import ValidationError

    flows.unshare(shared_entry)

    with pytest.raises(ValidationError):
        flows.give_feedback(shared_entry, trainer, "Too late.")
    assert not Feedback.objects.exists()
