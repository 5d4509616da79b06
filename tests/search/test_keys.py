"""Search narrows by the keys each document carries (search.registry.Keys); pages decide with each
kind's `readable()`. The two must agree exactly, for every person and every kind of writing, and
keep agreeing as writing is shared, unshared, edited and answered, as pairs end, and as people
leave teams. If they ever disagree, a count would be wrong or, worse, a search would narrow to
writing its reader may not see (the result would still be dropped by `readable()`, but not its
count)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, Role
from reflections import flows
from reflections.models import Task
from reflections.weeks import user_today
from search import registry
from search.index import rebuild
from search.models import Document
from search.query import Filters, readable_authors, readable_documents, scopes_for
from tests.conftest import make_person
from tests.search import world
from training import flows as training
from training.models import TrainingEntry

pytestmark = pytest.mark.django_db


def by_readable(user, task=""):
    """What `readable()` of every kind allows (and has a document), the task filter applied the
    way each kind's pages name a task: its own, or for a note without one, its entry's."""
    allowed = set()
    for kind in registry.kinds():
        for obj in kind.readable(user).select_related(*kind.select_related):
            if not task or kind.keys(obj).task == task:
                allowed.add((kind.key, obj.pk))
    documents = set(Document.objects.values_list("kind", "object_id"))
    return allowed & documents


def by_keys(user, task=""):
    return set(readable_documents(user, Filters(task=task)).values_list("kind", "object_id"))


def assert_agree(people):
    for person in people:
        for task in ["", Task.CONNECTION, Task.MUTUALITY]:
            assert by_keys(person, task) == by_readable(person, task), (person.name, task)


@pytest.fixture
def everyone(journal, trainer, stranger, team):
    """The search world, plus a training cohort in Riverside: Tom trains Leah, who shares one
    entry (with feedback and a reply) and keeps one private."""
    start = user_today(trainer) - dt.timedelta(days=1)
    cohort = training.create_cohort(trainer, team, name="Winter core training", start=start)
    leah = make_person("leah.obrien@riverside.example.org", "Leah O'Brien")
    Membership.objects.create(team=team, user=leah, role=Role.TRAINEE)
    training.enrol(cohort, leah)
    day = cohort.days.get(number=1)
    shared = training.write_entry(
        leah, day, {"task": Task.CONNECTION, "title": "", "body": "A marigold in the circle."}, share=True
    )
    kept = training.write_entry(leah, day, {"task": Task.WORLDVIEW, "title": "", "body": "Mine alone."})
    feedback = training.give_feedback(
        TrainingEntry.objects.get(pk=shared.pk), trainer, "What did you notice?"
    )
    training.reply(feedback, leah, "That I stopped fixing.")
    journal.leah, journal.trainer, journal.stranger = leah, trainer, stranger
    journal.training_shared, journal.training_kept = shared, kept
    people = [
        journal.author,
        journal.peer,
        journal.supervisor,
        journal.other_supervisor,
        journal.kofi,
        journal.hana,
        leah,
        trainer,
        stranger,
    ]
    return journal, people


def test_keys_and_readable_agree_for_everyone(everyone):
    journal, people = everyone
    assert_agree(people)
    # And the keys say something: private writing only for its writer, shared training writing
    # (and its feedback) for the trainee and the trainer, nothing for a stranger.
    assert ("entry", journal.private.pk) in by_keys(journal.author)
    assert ("entry", journal.private.pk) not in by_keys(journal.peer)
    feedback = ("training_feedback", journal.trainer.training_feedback.get().pk)
    assert {("entry", journal.training_shared.pk), feedback} <= by_keys(journal.trainer)
    assert feedback in by_keys(journal.leah)
    assert ("entry", journal.training_kept.pk) not in by_keys(journal.trainer)
    assert by_keys(journal.stranger) == set()


def test_the_people_whose_writing_one_may_read_are_the_authors_of_what_readable_allows(everyone):
    """The search page's list of people (search.query.readable_authors, read from the keys'
    indexes): exactly the writers of what each kind's `readable()` lets the person read, and
    the person themselves — with the scopes fetched by the function or, as the search page
    does, handed to it. Rosa also trains the cohort, so her list joins all three keys."""
    journal, people = everyone
    Membership.objects.create(team=journal.team, user=journal.supervisor, role=Role.TRAINER)
    training.add_trainer(journal.trainer.cohort_memberships.get().cohort, journal.supervisor)
    assert all(scopes_for(journal.supervisor).values())  # threads and a cohort
    for person in people:
        writers = set()
        for key, pk in by_readable(person):
            kind = registry.get(key)
            writers.add(getattr(kind.model_class.objects.get(pk=pk), f"{kind.author_field}_id"))
        assert readable_authors(person) == writers | {person.pk}, person.name
        assert readable_authors(person, scopes_for(person)) == writers | {person.pk}, person.name
    assert readable_authors(journal.stranger) == {journal.stranger.pk}
    assert {journal.leah.pk, journal.peer.pk} <= readable_authors(journal.supervisor)
    assert journal.supervisor.pk in readable_authors(journal.author)


def test_they_agree_after_unsharing_an_entry_with_only_the_authors_own_notes(everyone):
    journal, people = everyone
    own = world.entry(
        journal.author, Task.CONNECTION, "Later", "A marigold at dusk.", journal.week, journal.pair
    )
    mine = world.note(own, journal.author, "My own marigold note.")
    flows.unshare_entry(own)

    assert ("annotation", mine.pk) not in by_keys(journal.author)
    assert_agree(people)


def test_they_agree_after_an_edit_changes_the_task(everyone):
    journal, people = everyone
    flows.edit_entry(
        journal.shared.pk,
        journal.author,
        {"task": Task.MUTUALITY, "title": journal.shared.title, "body": journal.shared.body},
        journal.shared.version,
    )
    assert_agree(people)


def test_they_agree_after_a_pair_ends_and_a_supervisor_leaves(everyone):
    journal, people = everyone
    flows.end_pair(journal.pair, journal.peer)
    assert_agree(people)
    Membership.objects.filter(user=journal.supervisor, team=journal.team).delete()
    assert_agree(people)


def test_they_agree_as_training_entries_are_shared_and_unshared(everyone):
    journal, people = everyone
    kept = TrainingEntry.objects.get(pk=journal.training_kept.pk)
    training.share(kept)
    assert ("entry", kept.pk) in by_keys(journal.trainer)
    assert_agree(people)
    training.unshare(kept)
    assert ("entry", kept.pk) not in by_keys(journal.trainer)
    assert_agree(people)


def test_a_trainer_who_leaves_the_team_finds_nothing_of_the_cohort(everyone):
    journal, people = everyone
    assert by_keys(journal.trainer)
    Membership.objects.filter(user=journal.trainer, role=Role.TRAINER).delete()
    assert by_keys(journal.trainer) == set()
    assert_agree(people)


def test_rebuilding_the_index_gives_the_same_keys(everyone):
    journal, people = everyone
    before = set(
        Document.objects.values_list("kind", "object_id", "owner_id", "thread_id", "cohort_id", "task")
    )
    Document.objects.update(owner_id=None, thread_id=None, cohort_id=None, task="")
    rebuild(registry.kinds())
    after = set(
        Document.objects.values_list("kind", "object_id", "owner_id", "thread_id", "cohort_id", "task")
    )
    assert after == before
    assert_agree(people)


def test_an_edit_that_keeps_the_keys_leaves_the_notes_documents_alone(everyone):
    """Only a change of thread or task re-keys an entry's notes; rewording it writes the entry's
    own document and nothing else."""
    journal, _people = everyone
    shared = journal.shared
    data = {"task": shared.task, "title": shared.title, "body": shared.body + "\n\nAnd the kettle."}
    with CaptureQueriesContext(connection) as captured:
        flows.edit_entry(shared.pk, journal.author, data, shared.version)
    written = [q["sql"] for q in captured if q["sql"].startswith('INSERT INTO "search_document"')]
    assert len(written) == 1

    shared.refresh_from_db()
    data = {"task": Task.MUTUALITY, "title": shared.title, "body": shared.body}
    with CaptureQueriesContext(connection) as captured:
        flows.edit_entry(shared.pk, journal.author, data, shared.version)
    written = [q["sql"] for q in captured if q["sql"].startswith('INSERT INTO "search_document"')]
    assert len(written) == 3  # the entry, its note, the reply to it
    assert_agree(_people)
