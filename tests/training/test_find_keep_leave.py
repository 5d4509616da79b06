"""Trainers' feedback and the replies under it, like every other kind of writing: found by search
(only by those who read it on the training pages), notified to the others in the conversation,
exported by whoever wrote it, and deleted with them — on SQLite and PostgreSQL alike.

Tom gave Leah feedback on her shared Day 1 entry and Leah answered; each carries a marker that
must never reach anyone outside the conversation."""

import importlib
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import erasure
from accounts import export as exports
from accounts import flows as account_flows
from accounts.models import Membership, User
from notifications.models import Notification, Verb
from notifications.tasks import send_digest
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
    assert shown.task == Task.CONNECTION
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

    def execute(sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    editor = SimpleNamespace(connection=connection, execute=execute)
    migration.index_existing(apps, editor)
    # search.0003 (which runs after this one) gives the documents their reader keys.
    importlib.import_module("search.migrations.0003_document_reader_keys").fill_keys(apps, editor)

    assert len(training_keys(found(trainee, "lantern"))) == 2
    assert len(training_keys(found(trainer, REPLY_MARKER))) == 1


# --- The search page ----------------------------------------------------------------------------------


def test_the_written_by_filter_offers_whoever_writes_what_the_person_reads(
    client_for, conversation, trainee, trainer, co_trainee
):
    """A trainee can narrow to their trainer's feedback, and the trainer to the trainee's replies,
    from the page itself; nobody whose writing they cannot read is offered."""

    def people(user):
        page = client_for(user).get(SEARCH, {"q": "lantern"}).text
        return page.split('name="author"', 1)[1].split("</select>", 1)[0]

    assert f'<option value="{trainer.pk}">{trainer.name}</option>' in people(trainee)
    assert f'<option value="{trainee.pk}">{trainee.name}</option>' in people(trainer)
    assert co_trainee.name not in people(trainee)

    response = client_for(trainee).get(SEARCH, {"q": "lantern", "author": trainer.pk})
    assert response.status_code == 200
    assert "1 result" in response.text and f"#feedback-{conversation.feedback.pk}" in response.text


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


# --- Notifications --------------------------------------------------------------------------------------


def notices(verb):
    return list(Notification.objects.filter(verb=verb).select_related("recipient").order_by("pk"))


def test_feedback_tells_the_trainee_and_nobody_else(conversation, cohort, trainee, trainer):
    [notice] = notices(Verb.FEEDBACK)

    assert (notice.recipient, notice.actor) == (trainee, trainer)
    assert (notice.target_kind, notice.target_id) == ("training_feedback", conversation.feedback.pk)
    assert notice.url == f"{day_url(cohort, 1)}#feedback-{conversation.feedback.pk}"
    assert (notice.task, notice.week) == (Task.CONNECTION, conversation.entry.entry.week)


def test_a_reply_tells_the_others_in_the_conversation_and_never_the_one_who_replied(
    cohort, trainer, other_trainer, trainee, co_trainee, feedback
):
    flows.add_trainer(cohort, other_trainer)  # Aisha trains this cohort too, but has not spoken yet

    leah_first = flows.reply(feedback, trainee, "It was her pausing.")
    aisha = flows.reply(feedback, other_trainer, "Pauses are underrated.")
    leah_again = flows.reply(feedback, trainee, "I will try one on Day 3.")

    def told(reply):
        return {
            n.recipient: n.url
            for n in Notification.objects.filter(target_kind="training_feedback_reply", target_id=reply.pk)
        }

    assert told(leah_first) == {trainer: f"{journal_url(cohort, trainee)}#reply-{leah_first.pk}"}
    assert told(aisha) == {
        trainer: f"{journal_url(cohort, trainee)}#reply-{aisha.pk}",
        trainee: f"{day_url(cohort, 1)}#reply-{aisha.pk}",
    }
    assert set(told(leah_again)) == {trainer, other_trainer}
    assert not Notification.objects.filter(recipient=co_trainee).exists()
    assert {n.verb for n in Notification.objects.filter(recipient=trainee)} == {
        Verb.FEEDBACK,
        Verb.FEEDBACK_REPLY,
    }


def test_a_trainer_who_left_the_team_is_not_told_of_replies(feedback, trainer, trainee, team):
    account_flows.remove_membership(Membership.objects.get(team=team, user=trainer))

    flows.reply(feedback, trainee, "Thank you.")

    assert not Notification.objects.filter(recipient=trainer).exists()


def test_a_failed_reply_notifies_nobody(feedback, trainee, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(flows.notices, "notify", broken)

    with pytest.raises(RuntimeError):
        flows.reply(feedback, trainee, "Thank you.")

    # The reply and its notifications are one transaction: neither is left half done.
    assert not FeedbackReply.objects.exists()


def test_the_list_says_who_gave_feedback_and_never_what_they_wrote(
    client_for, conversation, trainee, trainer
):
    mine = client_for(trainee).get(NOTIFICATIONS)
    theirs = client_for(trainer).get(NOTIFICATIONS)

    assert "Tom Achterberg gave feedback on your training journal." in mine.text
    assert "Leah Brennan replied to feedback in a training journal." in theirs.text
    for page in (mine, theirs):
        for written in (FEEDBACK_MARKER, REPLY_MARKER, "lantern", "pausing", "What “help” used to mean"):
            assert written not in page.text


def test_opening_a_feedback_notice_goes_to_the_feedback(client_for, conversation, cohort, trainee):
    notice = Notification.objects.get(recipient=trainee, verb=Verb.FEEDBACK)
    client = client_for(trainee)

    response = client.get(reverse("notifications:open", args=[notice.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"{day_url(cohort, 1)}#feedback-{conversation.feedback.pk}"
    page = client.get(response["Location"])
    assert page.status_code == 200 and f'id="feedback-{conversation.feedback.pk}"' in page.text


def test_feedback_notices_drop_out_when_the_trainer_leaves_the_team(client_for, conversation, trainer, team):
    notice = Notification.objects.get(recipient=trainer, verb=Verb.FEEDBACK_REPLY)
    client = client_for(trainer)
    assert "replied to feedback" in client.get(NOTIFICATIONS).text

    account_flows.remove_membership(Membership.objects.get(team=team, user=trainer))

    assert "replied to feedback" not in client.get(NOTIFICATIONS).text
    assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 404
    assert not Notification.objects.filter(recipient=trainer, read__isnull=True).exists()


def test_deleted_feedback_takes_its_notice_out_of_the_list(client_for, conversation, trainee, trainer):
    client_for(trainer).post(reverse("training:feedback-delete", args=[conversation.feedback.pk]))

    response = client_for(trainee).get(NOTIFICATIONS)

    assert "gave feedback" not in response.text
    assert not Notification.objects.filter(recipient=trainee, read__isnull=True).exists()


def test_an_entry_with_feedback_stays_shared_so_the_notices_stay(client_for, conversation, trainee, trainer):
    # Unsharing would take the trainers' access away; with feedback on it the trainee cannot.
    response = client_for(trainee).post(reverse("training:entry-unshare", args=[conversation.entry.pk]))

    assert response.status_code == 302
    assert "replied to feedback" in client_for(trainer).get(NOTIFICATIONS).text


def test_the_list_takes_the_same_queries_for_a_little_and_a_lot_of_feedback(
    client_for, conversation, trainer, trainee, days
):
    client = client_for(trainee)
    client.get(NOTIFICATIONS)
    counts = []
    for round_ in range(2):
        Notification.objects.filter(recipient=trainee).update(read=None)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(NOTIFICATIONS)
        assert response.status_code == 200
        counts.append(len(captured))
        for number in (2, 3, 4, 5):
            shared = write(trainee, days[number], f"Day {number}, round {round_}.", shared=True)
            feedback = flows.give_feedback(shared, trainer, f"Thoughts on day {number}.")
            flows.reply(feedback, trainer, "And one more thing.")

    assert counts[0] == counts[1], counts
    assert response.text.count('class="notice ') == 9


def test_the_digest_names_the_feedback_and_never_quotes_it(conversation, trainee, trainer, settings):
    settings.SITE_URL = "https://journal.example.org"

    send_digest.call(trainee.pk)
    send_digest.call(trainer.pk)

    [to_leah] = [m for m in mail.outbox if m.to == [trainee.email]]
    [to_tom] = [m for m in mail.outbox if m.to == [trainer.email]]
    assert "Tom Achterberg gave feedback on your training journal." in to_leah.body
    assert "Leah Brennan replied to feedback in a training journal." in to_tom.body
    assert "https://journal.example.org/notifications/" in to_leah.body
    for message in (to_leah, to_tom):
        for text in (message.body, message.alternatives[0][0]):
            for written in (FEEDBACK_MARKER, REPLY_MARKER, PRIVATE_MARKER, "lantern", "pausing"):
                assert written not in text


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


def test_the_demo_feedback_is_searchable_and_told(db):
    call_command("seed_demo", stdout=io.StringIO())
    leah, tom, kwame = (
        User.objects.get(email=f"{name}@riverside.example.org") for name in ("leah", "tom", "kwame")
    )

    assert training_keys(found(leah, "curiosity"))
    assert training_keys(found(tom, "curiosity"))
    assert not training_keys(found(kwame, "curiosity"))
    leahs = Notification.objects.filter(recipient=leah, verb=Verb.FEEDBACK)
    # Leah saw Day 1's feedback on her day page; Day 3's is new.
    assert leahs.count() == 2
    assert leahs.filter(read__isnull=True).count() == 1
    assert Notification.objects.filter(recipient=tom, verb=Verb.FEEDBACK_REPLY).count() == 2
