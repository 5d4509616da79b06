"""Trainers' feedback and the replies under it, like every other kind of writing: found by search
(only by those who read it on the training pages), exported by whoever wrote it, and deleted with
them — on SQLite and PostgreSQL alike.

Tom gave Leah feedback on her shared Day 1 entry and Leah answered; each carries a marker that
must never reach anyone outside the conversation."""

import importlib
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import erasure
from accounts import export as exports
from accounts import flows as account_flows
from accounts.models import Membership, User
from notifications.models import Notification
from reflections.models import Entry, PeerPair, Task
from search.models import Document
from search.query import Filters, search
from tests.accounts.test_erasure import references_to
from tests.training.conftest import PRIVATE_MARKER, write
from training import flows
from training.models import Feedback, FeedbackReply

pytestmark = pytest.mark.django_db

FEEDBACK_MARKER = "SEXTANT-FEEDBACK-5532"  # only in Tom's feedback
REPLY_MARKER = "SEXTANT-REPLY-8120"  # only in Leah's reply to it
TRAINER_REPLY_MARKER = "SEXTANT-TOM-3906"  # only in Tom's own reply, when a test adds it
TRAINING = {"training_feedback", "training_feedback_reply"}
SEARCH = reverse("search:results")
NOTIFICATIONS = reverse("notifications:list")


@pytest.fixture
def conversation(trainer, trainee, shared_entry, private_entry):
    feedback = flows.give_feedback(
        shared_entry,
        trainer,
        f"{FEEDBACK_MARKER} Your curiosity lit a lantern in that listening exercise. What helped?",
    )
    reply = flows.reply(feedback, trainee, f"{REPLY_MARKER} The lantern was her pausing, I think.")
    return SimpleNamespace(entry=shared_entry, private=private_entry, feedback=feedback, reply=reply)


def found(user, text, filters=None):
    prepared = search(user, text, filters or Filters())
    return prepared.hits(prepared.documents[:100])


def keys(hits):
    return {(hit.kind.key, hit.obj.pk) for hit in hits}


def training_keys(hits):
    return {key for key in keys(hits) if key[0] in TRAINING}


def shown_text(hits):
    return " ".join(f"{hit.title} {hit.fragment} {hit.shown.title} {hit.shown.where}" for hit in hits)


def day_url(cohort, number):
    return reverse("training:day", args=[cohort.pk, number])


def journal_url(cohort, trainee):
    return reverse("training:trainee-journal", args=[cohort.pk, trainee.pk])


# --- Search -----------------------------------------------------------------------------------------


def test_the_trainee_and_her_trainer_find_the_feedback_and_the_reply(conversation, trainee, trainer):
    both = {
        ("training_feedback", conversation.feedback.pk),
        ("training_feedback_reply", conversation.reply.pk),
    }

    for reader in (trainee, trainer):
        assert keys(found(reader, "lantern")) == both
        assert keys(found(reader, FEEDBACK_MARKER)) == {("training_feedback", conversation.feedback.pk)}
        assert keys(found(reader, REPLY_MARKER)) == {("training_feedback_reply", conversation.reply.pk)}


@pytest.mark.parametrize(
    "persona", ["co_trainee", "other_trainer", "author", "supervisor", "other_supervisor", "stranger"]
)
def test_nobody_outside_the_conversation_finds_it(conversation, other_cohort, persona, request):
    # Kwame trains beside Leah; Aisha trains another cohort of the same team; Maya and Rosa
    # co-reflect and supervise there; Dev supervises another team; Alex belongs nowhere.
    user = request.getfixturevalue(persona)

    for query in (FEEDBACK_MARKER, REPLY_MARKER, "lantern", "curiosity", "pausing", PRIVATE_MARKER):
        hits = found(user, query)
        assert training_keys(hits) == set(), query
        text = shown_text(hits)
        assert FEEDBACK_MARKER not in text and REPLY_MARKER not in text and PRIVATE_MARKER not in text


def test_a_second_trainer_of_the_cohort_finds_it_until_they_leave_the_team(
    conversation, cohort, other_trainer, team
):
    flows.add_trainer(cohort, other_trainer)
    assert len(training_keys(found(other_trainer, "lantern"))) == 2

    account_flows.remove_membership(Membership.objects.get(team=team, user=other_trainer))

    assert training_keys(found(other_trainer, "lantern")) == set()


def test_a_result_names_the_feedback_and_links_each_reader_to_their_own_page(
    conversation, cohort, trainee, trainer
):
    feedback, reply = conversation.feedback, conversation.reply

    mine = {hit.kind.key: hit for hit in found(trainee, "lantern")}
    theirs = {hit.kind.key: hit for hit in found(trainer, "lantern")}

    shown = mine["training_feedback"].shown
    assert shown.title == "Feedback from Tom Achterberg on Day 1: “What “help” used to mean”"
    assert shown.url == f"{day_url(cohort, 1)}#feedback-{feedback.pk}"
    assert (shown.task, str(shown.task_label)) == (Task.CONNECTION, "Connection")
    assert shown.where == "Your training journal — Spring core training"
    assert mine["training_feedback_reply"].shown.url == f"{day_url(cohort, 1)}#reply-{reply.pk}"
    assert mine["training_feedback_reply"].shown.title.startswith("Reply to feedback from Tom Achterberg")
    assert mine["training_feedback_reply"].author == trainee
    assert theirs["training_feedback"].shown.url == f"{journal_url(cohort, trainee)}#feedback-{feedback.pk}"
    assert (
        theirs["training_feedback"].shown.where == "Training journal of Leah Brennan — Spring core training"
    )
    assert theirs["training_feedback_reply"].shown.url == f"{journal_url(cohort, trainee)}#reply-{reply.pk}"


def test_feedback_follows_its_entrys_task_and_has_no_thread(
    conversation, trainee, trainer, author, peer, team
):
    pair = PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=PeerPair.Status.ACTIVE)
    both = {
        ("training_feedback", conversation.feedback.pk),
        ("training_feedback_reply", conversation.reply.pk),
    }

    assert training_keys(found(trainee, "lantern", Filters(task=Task.CONNECTION))) == both
    assert training_keys(found(trainee, "lantern", Filters(task=Task.WORLDVIEW))) == set()
    assert training_keys(found(author, "lantern", Filters(thread=pair.pk))) == set()
    assert training_keys(found(trainee, "lantern", Filters(author=trainer.pk))) == {
        ("training_feedback", conversation.feedback.pk)
    }
    assert training_keys(found(trainer, "lantern", Filters(author=trainee.pk))) == {
        ("training_feedback_reply", conversation.reply.pk)
    }


def test_edited_feedback_is_found_by_its_new_words_only(conversation, trainee):
    flows.edit_feedback(conversation.feedback, "Your patience made room for her to speak.")

    assert training_keys(found(trainee, "patience")) == {("training_feedback", conversation.feedback.pk)}
    assert training_keys(found(trainee, FEEDBACK_MARKER)) == set()


def test_deleted_feedback_leaves_the_index_with_its_replies(conversation, trainee):
    conversation.feedback.delete()

    assert not Document.objects.filter(kind__in=TRAINING).exists()
    assert training_keys(found(trainee, "lantern")) == set()


def test_rebuilding_the_index_restores_feedback_loaded_without_saving(conversation, trainee):
    Document.objects.filter(kind__in=TRAINING).delete()
    Feedback.objects.bulk_create(
        [
            Feedback(
                entry=conversation.entry,
                author=conversation.feedback.author,
                body="A second lantern, bulk-loaded.",
                body_html="<p>A second lantern, bulk-loaded.</p>",
            )
        ]
    )

    call_command("rebuild_search_index", verbosity=0)

    assert len(training_keys(found(trainee, "lantern"))) == 3


def test_the_migration_indexes_feedback_written_before_search_knew_it(conversation, trainee, trainer):
    Document.objects.filter(kind__in=TRAINING).delete()
    migration = importlib.import_module("training.migrations.0003_index_feedback")

    def execute(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    migration.index_existing(apps, SimpleNamespace(connection=connection, execute=execute))

    assert len(training_keys(found(trainee, "lantern"))) == 2
    assert len(training_keys(found(trainer, REPLY_MARKER))) == 1


# --- The search page ----------------------------------------------------------------------------------


def test_the_search_page_shows_feedback_to_its_readers_only(client_for, conversation, trainee, co_trainee):
    response = client_for(trainee).get(SEARCH, {"q": "lantern"})
    elsewhere = client_for(co_trainee).get(SEARCH, {"q": "lantern"})

    assert response.status_code == 200
    assert "2 results" in response.text
    assert 'class="badge">Trainer feedback<' in response.text
    assert 'class="badge">Reply to trainer feedback<' in response.text
    assert f"#feedback-{conversation.feedback.pk}" in response.text
    assert FEEDBACK_MARKER in response.text  # the highlighted passage
    assert "0 results" in elsewhere.text
    assert FEEDBACK_MARKER not in elsewhere.text and REPLY_MARKER not in elsewhere.text


def test_the_search_page_takes_the_same_queries_for_a_little_and_a_lot_of_feedback(
    client_for, conversation, trainer, trainee, days
):
    client = client_for(trainee)
    client.get(SEARCH)  # allauth records the session on the first request
    counts = []
    for round_ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(SEARCH, {"q": "lantern"})
        assert response.status_code == 200
        counts.append(len(captured))
        for number in (2, 3, 4):
            shared = write(trainee, days[number], f"Day {number}, round {round_}.", shared=True)
            feedback = flows.give_feedback(shared, trainer, f"A lantern for day {number}.")
            flows.reply(feedback, trainee, f"Thank you, the lantern helped on day {number}.")

    assert counts[0] == counts[1], counts


# --- The personal export ---------------------------------------------------------------------------------


def exported(client_for, user):
    client = client_for(user)
    assert client.post(reverse("accounts:export")).status_code == 302
    export = user.exports.get()
    response = client.get(reverse("accounts:export-download", args=[export.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(archive.read(name).decode() for name in archive.namelist())
    return json.loads(archive.read("data.json")), text


def test_a_trainers_export_holds_the_feedback_and_replies_they_wrote(client_for, conversation, trainer):
    mine = flows.reply(conversation.feedback, trainer, f"{TRAINER_REPLY_MARKER} Pauses are a gift.")

    data, text = exported(client_for, trainer)

    [feedback] = data["writing"]["training_feedback"]
    assert feedback["id"] == conversation.feedback.pk and FEEDBACK_MARKER in feedback["body"]
    assert (feedback["entry_id"], feedback["day"], feedback["cohort"], feedback["trainee"]) == (
        conversation.entry.pk,
        1,
        "Spring core training",
        "Leah Brennan",
    )
    assert [r["id"] for r in data["writing"]["training_feedback_reply"]] == [mine.pk]
    assert "1 piece of trainer feedback" in text and "1 reply to trainer feedback" in text
    # Leah's writing is hers: not her reply, her entry, or her private entry.
    for theirs in (REPLY_MARKER, "my mind racing ahead", "What “help” used to mean", PRIVATE_MARKER):
        assert theirs not in text


def test_a_trainees_export_holds_her_replies_and_not_the_trainers_feedback(client_for, conversation, trainee):
    flows.reply(conversation.feedback, conversation.feedback.author, f"{TRAINER_REPLY_MARKER} A gift.")

    data, text = exported(client_for, trainee)

    assert data["writing"]["training_feedback"] == []
    assert [r["id"] for r in data["writing"]["training_feedback_reply"]] == [conversation.reply.pk]
    assert {e["id"] for e in data["writing"]["entry"]} == {conversation.entry.pk, conversation.private.pk}
    assert REPLY_MARKER in text and PRIVATE_MARKER in text
    assert FEEDBACK_MARKER not in text and TRAINER_REPLY_MARKER not in text and "lit a lantern" not in text


@pytest.mark.parametrize("persona", ["co_trainee", "other_trainer", "supervisor"])
def test_nobody_elses_export_holds_any_of_it(client_for, conversation, other_cohort, persona, request):
    data, text = exported(client_for, request.getfixturevalue(persona))

    assert data["writing"]["training_feedback"] == [] and data["writing"]["training_feedback_reply"] == []
    for marker in (FEEDBACK_MARKER, REPLY_MARKER, PRIVATE_MARKER):
        assert marker not in text


def test_exported_feedback_follows_the_schema(conversation, trainer, trainee):
    flows.reply(conversation.feedback, trainer, "Pauses are a gift.")
    schema = json.loads(exports.SCHEMA.read_text())

    for user in (trainer, trainee):
        writing = exports.collect(user)["writing"]
        for kind in TRAINING:
            definition = schema["$defs"][kind]
            assert schema["properties"]["writing"]["properties"][kind]["items"] == {"$ref": f"#/$defs/{kind}"}
            for item in writing[kind]:
                assert set(definition["required"]) <= set(item) <= set(definition["properties"]), kind


# --- Leaving -------------------------------------------------------------------------------------------------


def test_the_delete_page_counts_feedback_on_both_sides(client_for, conversation, trainee, trainer):
    hers = client_for(trainee).get(reverse("accounts:delete")).text
    his = client_for(trainer).get(reverse("accounts:delete")).text

    assert "1 reply to trainer feedback" in hers
    assert "1 piece of feedback or reply that someone else wrote on your training journal" in hers
    assert "1 piece of trainer feedback" in his
    assert (
        "1 piece of feedback or reply that someone else wrote on your training journal or under your feedback"
        in his
    )


def test_deleting_a_trainer_takes_their_feedback_and_leaves_no_reference(conversation, trainer, trainee):
    trainer_pk = trainer.pk

    erasure.erase(trainer)

    assert references_to(trainer_pk) == []
    assert not Feedback.objects.exists() and not FeedbackReply.objects.exists()
    assert not Document.objects.filter(kind__in=TRAINING).exists()
    assert Entry.objects.filter(pk=conversation.entry.pk).exists()  # Leah's entry stays hers
    assert training_keys(found(trainee, "lantern")) == set()


def test_deleting_a_trainee_takes_the_feedback_on_her_journal(conversation, trainer, trainee):
    trainee_pk = trainee.pk

    erasure.erase(trainee)

    assert references_to(trainee_pk) == []
    assert not Feedback.objects.exists()
    assert not Document.objects.filter(kind__in=TRAINING).exists()
    assert not User.objects.filter(pk=trainee_pk).exists()
    assert not Notification.objects.filter(recipient=trainer).exists()


def test_the_walk_over_foreign_keys_sees_feedback(conversation, trainer):
    found_refs = references_to(trainer.pk)

    assert any(line.startswith("training.Feedback.author") for line in found_refs)


# --- The demo ----------------------------------------------------------------------------------------------


def test_the_demo_feedback_is_searchable(db):
    call_command("seed_demo", stdout=io.StringIO())
    leah, tom, kwame = (
        User.objects.get(email=f"{name}@riverside.example.org") for name in ("leah", "tom", "kwame")
    )

    assert training_keys(found(leah, "curiosity"))
    assert training_keys(found(tom, "curiosity"))
    assert not training_keys(found(kwame, "curiosity"))
