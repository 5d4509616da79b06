"""Cohorts: created by a team's trainers from the default outline, re-dated and edited per
cohort, trainees invited through the team invitation flow, several trainers, and the cohort page
(trainees × days) in a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import flows as account_flows
from accounts.models import Invitation, Membership, Role
from reflections.models import Entry
from reflections.weeks import week_start
from tests.conftest import make_person
from tests.training.conftest import PRIVATE_MARKER, trainee_in, write
from training import flows
from training.models import Cohort, CohortDay, CohortInvitation, CohortMember, OutlineDay

HOME = reverse("training:home")


def detail(cohort):
    return reverse("training:cohort-detail", args=[cohort.pk])


# The default outline -------------------------------------------------------------------------
def test_the_default_outline_is_loaded_by_the_data_migration(db):
    days = list(OutlineDay.objects.all())

    assert [day.number for day in days] == [1, 2, 3, 4, 5]
    assert [day.title for day in days] == [
        "Foundations",
        "Worldview and language",
        "Trauma and mutuality",
        "Moving towards",
        "Living it",
    ]
    assert all(day.topic_list and day.prompt_list for day in days)
    assert days[0].prompt_list[0] == "What did “help” mean to me before today? What is shifting?"
    assert days[4].prompt_list[0] == "What one practice will I carry into my first co-reflection?"


def test_only_day_five_carries_a_content_note_and_it_never_asks_for_sharing(db):
    notes = {day.number: day.content_note for day in OutlineDay.objects.all()}

    assert [n for n, note in notes.items() if note] == [5]
    assert "suicide" in notes[5] and "self-harm" in notes[5]
    assert "Nothing from this day needs to be shared" in notes[5]


# Creating a cohort ---------------------------------------------------------------------------
def test_a_trainer_starts_a_cohort_with_five_consecutive_days(client_for, trainer, team):
    response = client_for(trainer).post(
        HOME, {"name": "Spring core training", "team": team.pk, "start": "2027-03-05"}
    )

    cohort = Cohort.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(cohort)
    assert [day.date for day in cohort.days.all()] == [dt.date(2027, 3, d) for d in range(5, 10)]
    assert [day.title for day in cohort.days.all()] == [day.title for day in OutlineDay.objects.all()]
    assert list(cohort.members.values_list("user", "role")) == [(trainer.pk, "trainer")]
    assert cohort.created_by == trainer


def test_a_cohort_can_skip_the_weekend(client_for, trainer, team):
    client_for(trainer).post(
        HOME, {"name": "Spring", "team": team.pk, "start": "2027-03-04", "skip_weekends": "on"}
    )

    dates = [day.date for day in Cohort.objects.get().days.all()]
    assert dates == [
        dt.date(2027, 3, 4),
        dt.date(2027, 3, 5),
        dt.date(2027, 3, 8),
        dt.date(2027, 3, 9),
        dt.date(2027, 3, 10),
    ]


def test_each_cohort_copies_the_outline_so_its_trainers_edit_their_own(trainer, team):
    first = flows.create_cohort(trainer, team, name="A", start=dt.date(2027, 1, 4))
    second = flows.create_cohort(trainer, team, name="B", start=dt.date(2027, 2, 1))
    day = first.days.get(number=2)
    day.title = "Language and first contact"
    day.save()

    assert second.days.get(number=2).title == "Worldview and language"
    assert OutlineDay.objects.get(number=2).title == "Worldview and language"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "start": "2027-03-05"}, "Please give the cohort a name."),
        ({"name": "   ", "start": "2027-03-05"}, "Please give the cohort a name."),
        ({"name": "Spring", "start": ""}, "When does the training start?"),
        ({"name": "Spring", "start": "the fifth"}, "Enter a date."),
        ({"name": "x" * 121, "start": "2027-03-05"}, "at most 120 characters"),
    ],
)
def test_a_cohort_form_with_mistakes_says_what_is_wrong_and_keeps_the_text(
    client_for, trainer, team, data, message
):
    response = client_for(trainer).post(HOME, {**data, "team": team.pk})

    assert response.status_code == 400
    assert message in response.text
    assert not Cohort.objects.exists()
    if data["name"].strip():
        assert data["name"] in response.text


def test_a_cohort_cannot_be_started_for_a_team_one_does_not_train(client_for, trainer, other_team):
    response = client_for(trainer).post(
        HOME, {"name": "Spring", "team": other_team.pk, "start": "2027-03-05"}
    )

    assert response.status_code == 400
    assert "Choose one of the teams you train for." in response.text
    assert not Cohort.objects.exists()


def test_someone_who_trains_nowhere_cannot_start_a_cohort(client_for, supervisor, team):
    response = client_for(supervisor).post(HOME, {"name": "Spring", "team": team.pk, "start": "2027-03-05"})

    assert response.status_code == 403
    assert not Cohort.objects.exists()


# Who sees which cohorts ----------------------------------------------------------------------
def test_a_trainer_sees_only_their_own_cohorts(client_for, trainer, other_trainer, cohort, other_cohort):
    mine = client_for(trainer).get(HOME)
    theirs = client_for(trainer).get(detail(other_cohort))

    assert cohort.name in mine.text
    assert other_cohort.name not in mine.text
    assert theirs.status_code == 404
    assert client_for(other_trainer).get(detail(cohort)).status_code == 404


def test_a_trainer_who_leaves_the_team_loses_the_cohort(client_for, trainer, team, cohort, shared_entry):
    Membership.objects.filter(team=team, user=trainer, role=Role.TRAINER).delete()

    assert client_for(trainer).get(detail(cohort)).status_code == 404
    assert not Entry.objects.visible_to(trainer).filter(pk=shared_entry.pk).exists()


def test_a_supervisor_of_the_team_does_not_see_cohorts(client_for, supervisor, cohort):
    assert client_for(supervisor).get(detail(cohort)).status_code == 404
    assert cohort.name not in client_for(supervisor).get(HOME).text


def test_several_trainers_share_a_cohort(client_for, trainer, other_trainer, cohort, shared_entry):
    response = client_for(trainer).post(
        reverse("training:trainer-add", args=[cohort.pk]), {"user": other_trainer.pk}
    )

    assert response.status_code == 302
    assert client_for(other_trainer).get(detail(cohort)).status_code == 200
    assert Entry.objects.visible_to(other_trainer).filter(pk=shared_entry.pk).exists()


def test_only_trainers_of_the_team_can_be_added_as_trainers(client_for, trainer, author, cohort):
    response = client_for(trainer).post(
        reverse("training:trainer-add", args=[cohort.pk]), {"user": author.pk}
    )

    assert response.status_code == 400
    assert "Choose one of the team’s trainers." in response.text
    assert not cohort.members.filter(user=author).exists()


# Inviting trainees ---------------------------------------------------------------------------
def test_inviting_trainees_goes_through_the_team_invitation_flow(
    client_for, trainer, team, cohort, mailoutbox
):
    response = client_for(trainer).post(
        reverse("training:trainee-invite", args=[cohort.pk]),
        {"emails": "jordan.ellis@mailbox.example.net\nPRIYA@Example.org, not-an-address"},
    )

    assert response.status_code == 400
    assert "These are not email addresses: not-an-address" in response.text
    assert not Invitation.objects.exists()

    response = client_for(trainer).post(
        reverse("training:trainee-invite", args=[cohort.pk]),
        {"emails": "jordan.ellis@mailbox.example.net\nPRIYA@Example.org; jordan.ellis@mailbox.example.net"},
    )

    assert response.status_code == 302
    invitations = Invitation.objects.order_by("email")
    assert [(i.email, i.role, i.team_id) for i in invitations] == [
        ("jordan.ellis@mailbox.example.net", Role.TRAINEE, team.pk),
        ("priya@example.org", Role.TRAINEE, team.pk),
    ]
    assert set(CohortInvitation.objects.values_list("cohort", flat=True)) == {cohort.pk}
    assert sorted(message.to[0] for message in mail.outbox) == [
        "jordan.ellis@mailbox.example.net",
        "priya@example.org",
    ]
    page = client_for(trainer).get(detail(cohort))
    assert "jordan.ellis@mailbox.example.net" in page.text and "Withdraw" in page.text


def test_accepting_a_cohort_invitation_opens_the_journal(client_for, trainer, team, cohort, mailoutbox):
    client_for(trainer).post(
        reverse("training:trainee-invite", args=[cohort.pk]), {"emails": "jordan.ellis@mailbox.example.net"}
    )
    link = re.search(r"https?://[^/\s]+(/invitations/[^\s]+/)", mail.outbox[0].body).group(1)
    jordan = make_person("jordan.ellis@mailbox.example.net", "Jordan Ellis")

    response = client_for(jordan).post(link)

    assert response.status_code == 302
    assert Membership.objects.filter(team=team, user=jordan, role=Role.TRAINEE).exists()
    assert cohort.members.filter(user=jordan, role=CohortMember.Role.TRAINEE).exists()
    journal = client_for(jordan).get(reverse("training:journal", args=[cohort.pk]))
    assert journal.status_code == 302


def test_a_plain_team_invitation_joins_no_cohort(rf, supervisor, team, cohort):
    request = rf.post("/")
    request.user = supervisor
    invitation = account_flows.invite(request, team, email="sam.new@example.org", role=Role.TRAINEE)
    person = make_person("sam.new@example.org", "Sam New")

    account_flows.accept_invitation(invitation, person)

    assert not CohortMember.objects.filter(user=person).exists()


def test_trainees_of_the_team_join_at_once_and_repeats_are_skipped(
    client_for, trainer, team, cohort, mailoutbox
):
    ines = trainee_in(team, "ines.duarte@riverside.example.org", "Inês Duarte")

    response = client_for(trainer).post(
        reverse("training:trainee-invite", args=[cohort.pk]),
        {"emails": "ines.duarte@riverside.example.org, leah.brennan@riverside.example.org"},
        follow=True,
    )

    assert cohort.members.filter(user=ines, role="trainee").exists()
    assert not Invitation.objects.exists()
    assert not mail.outbox
    assert "now in this cohort: ines.duarte@riverside.example.org" in response.text
    assert "Already in this cohort or invited to it: leah.brennan@riverside.example.org" in response.text


def test_a_pending_cohort_invitation_can_be_withdrawn(client_for, trainer, cohort, mailoutbox):
    client_for(trainer).post(
        reverse("training:trainee-invite", args=[cohort.pk]), {"emails": "jo@example.org"}
    )
    invitation = Invitation.objects.get()

    response = client_for(trainer).post(
        reverse("training:invitation-revoke", args=[cohort.pk, invitation.pk])
    )

    invitation.refresh_from_db()
    assert response.status_code == 302
    assert invitation.revoked is not None
    assert "jo@example.org" not in client_for(trainer).get(detail(cohort)).text


# Re-dating and editing the days --------------------------------------------------------------
def outline_data(cohort, **changes):
    data = {
        "cohort-name": cohort.name,
        "days-TOTAL_FORMS": "5",
        "days-INITIAL_FORMS": "5",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
    }
    for index, day in enumerate(cohort.days.all()):
        data |= {
            f"days-{index}-id": day.pk,
            f"days-{index}-date": day.date.isoformat(),
            f"days-{index}-title": day.title,
            f"days-{index}-topics": day.topics,
            f"days-{index}-prompts": day.prompts,
            f"days-{index}-content_note": day.content_note,
        }
    return data | changes


def test_trainers_re_date_a_day_and_its_entries_follow_it(client_for, trainer, trainee, cohort, days):
    written = write(trainee, days[3], "Patterns I know well.")
    later = days[3].date + dt.timedelta(days=14)
    data = outline_data(
        cohort,
        **{
            "days-2-date": later.isoformat(),
            "days-3-date": (later + dt.timedelta(days=1)).isoformat(),
            "days-4-date": (later + dt.timedelta(days=2)).isoformat(),
            "days-2-title": "Trauma, mutuality and patterns",
        },
    )

    response = client_for(trainer).post(reverse("training:cohort-outline", args=[cohort.pk]), data)

    assert response.status_code == 302
    days[3].refresh_from_db()
    assert days[3].date == later
    assert days[3].title == "Trauma, mutuality and patterns"
    assert Entry.objects.get(pk=written.pk).week == week_start(later)


def test_days_must_stay_in_order(client_for, trainer, cohort, days):
    data = outline_data(cohort, **{"days-1-date": (days[1].date - dt.timedelta(days=1)).isoformat()})

    response = client_for(trainer).post(reverse("training:cohort-outline", args=[cohort.pk]), data)

    assert response.status_code == 400
    assert "Each training day must come after the one before it." in response.text
    assert cohort.days.get(number=2).date == days[2].date


def test_a_day_needs_a_title_and_a_date(client_for, trainer, cohort, days):
    data = outline_data(cohort, **{"days-0-title": "", "days-1-date": ""})

    response = client_for(trainer).post(reverse("training:cohort-outline", args=[cohort.pk]), data)

    assert response.status_code == 400
    assert "Each day needs a title." in response.text and "Each day needs a date." in response.text


# The cohort page -----------------------------------------------------------------------------
def test_the_cohort_page_shows_who_wrote_and_shared_without_any_text(
    client_for, trainer, trainee, co_trainee, cohort, days, private_entry, shared_entry, feedback
):
    waiting = write(co_trainee, days[2], "First contact, and admitting I was nervous too.", shared=True)

    response = client_for(trainer).get(detail(cohort))

    assert response.status_code == 200
    text = response.text
    assert "Leah Brennan" in text and "Kwame Mensah" in text
    assert PRIVATE_MARKER not in text
    assert waiting.entry.body not in text and shared_entry.entry.body not in text
    rows = {row.split("</th>")[0]: row for row in text.split('<th scope="row">')[1:]}
    leah = next(row for name, row in rows.items() if "Leah Brennan" in name)
    kwame = next(row for name, row in rows.items() if "Kwame Mensah" in name)
    assert "2 written" in leah and "1 shared" in leah and "feedback given" in leah
    assert "1 written" in kwame and "1 awaits feedback" in kwame


def test_a_reply_from_the_trainee_shows_on_the_cohort_page(client_for, trainer, trainee, cohort, feedback):
    flows.reply(feedback, trainee, "It was her pausing.")

    response = client_for(trainer).get(detail(cohort))

    assert "they replied" in response.text


def _grow(cohort, team, trainees):
    days = list(cohort.days.all())
    for n in range(trainees):
        person = trainee_in(team, f"trainee{n}@riverside.example.org", f"Trainee {n:02}")
        flows.enrol(cohort, person)
        for day in days[:3]:
            entry = write(person, day, f"Day {day.number} by trainee {n}.", shared=n % 2 == 0)
            if n % 4 == 0:
                flows.give_feedback(entry, cohort.members.filter(role="trainer").first().user, "Thank you.")


@pytest.mark.parametrize("trainees", [3, 30])
def test_the_cohort_page_takes_the_same_queries_for_3_and_30_trainees(
    client_for, trainer, team, trainees, django_assert_num_queries
):
    cohort = flows.create_cohort(trainer, team, name="Spring", start=dt.date(2027, 3, 1))
    _grow(cohort, team, trainees)
    client = client_for(trainer)
    client.get(detail(cohort))  # the first request records the session's activity

    # Seven queries of the page's own: the cohort (with the trainer check), its days, its members,
    # every entry of the cohort with its feedback state (one grouped query), pending invitations,
    # the team's other trainers, the navigation's roles. The other two are every request's:
    # session and user (activity is recorded at most once a minute, here by the first request).
    with django_assert_num_queries(QUERIES_COHORT_PAGE) as captured:
        response = client.get(detail(cohort))

    assert response.status_code == 200
    assert response.text.count('<th scope="row">') == trainees
    assert len(captured) == QUERIES_COHORT_PAGE


QUERIES_COHORT_PAGE = 9


def test_a_forged_sixth_day_adds_nothing(client_for, trainer, cohort, days):
    data = outline_data(
        cohort, **{"days-TOTAL_FORMS": "6", "days-5-date": "2027-12-01", "days-5-title": "Extra"}
    )

    response = client_for(trainer).post(reverse("training:cohort-outline", args=[cohort.pk]), data)

    assert response.status_code in (302, 400)
    assert cohort.days.count() == 5
    assert CohortDay.objects.count() == 5


def test_another_cohorts_day_cannot_be_edited_through_this_one(client_for, trainer, cohort, other_cohort):
    foreign = other_cohort.days.get(number=1)
    data = outline_data(cohort, **{"days-0-id": foreign.pk, "days-0-title": "Taken over"})

    response = client_for(trainer).post(reverse("training:cohort-outline", args=[cohort.pk]), data)

    foreign.refresh_from_db()
    assert response.status_code in (302, 400)
    assert foreign.title == "Foundations"
    assert foreign.cohort == other_cohort


def test_a_trainee_of_the_team_is_found_whatever_the_case_of_the_address(client_for, trainer, team, cohort):
    ines = trainee_in(team, "Ines.Duarte@Riverside.example.org", "Inês Duarte")

    client_for(trainer).post(
        reverse("training:trainee-invite", args=[cohort.pk]), {"emails": "ines.duarte@riverside.example.org"}
    )

    assert cohort.members.filter(user=ines, role="trainee").exists()
    assert not Invitation.objects.exists()


def test_a_trainer_of_another_cohort_can_still_be_added(
    client_for, trainer, other_trainer, cohort, other_cohort
):
    page = client_for(trainer).get(detail(cohort))

    assert "Aisha Rahman" in page.text.split('id="trainers-heading"')[1]


def test_re_dating_a_day_gives_a_thread_holding_one_of_its_entries_a_new_version(
    trainee, trainer, days, team
):
    """A journal entry that reached a pair's thread (by a hand-made share) moves with its day, and
    the thread's cached pages must follow (reflections.thread_versions)."""
    from reflections.models import PeerPair

    written = write(trainee, days[2], "Noticing what I brought into the room.")
    peer = trainee_in(team, "sam.lindqvist@riverside.example.org", "Sam Lindqvist")
    pair = PeerPair.objects.create(team=team, inviter=trainee, invitee=peer, status=PeerPair.Status.ACTIVE)
    Entry.objects.filter(pk=written.entry_id).update(pair=pair)
    before = PeerPair.objects.get(pk=pair.pk).thread_version
    day = days[2]
    day.date += dt.timedelta(weeks=1)
    flows.save_days([day])
    assert Entry.objects.get(pk=written.entry_id).week == week_start(day.date)
    assert PeerPair.objects.get(pk=pair.pk).thread_version != before
