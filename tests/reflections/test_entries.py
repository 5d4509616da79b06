"""Writing: create, edit with revisions and conflict detection, the expired-session save,
drafts, preview, share/unshare, delete, and the entry list."""

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Membership, Role
from reflections import flows
from reflections.forms import EntryForm, sign_author
from reflections.models import Annotation, Draft, Entry, PeerPair, Reply, Revision, Task
from reflections.views.entries import STASH
from reflections.weeks import current_week
from tests.conftest import PASSWORD, make_person
from tests.reflections.conftest import PASSAGE, add_note, build_notes

NEW = reverse("reflections:entry-create")
TYPED = (
    "When Jo said she didn't want another plan, I felt the pull to fix it straight away.\n\n"
    "I stayed with the silence instead — and she told me what she'd like more of: mornings."
)


def edit_url(entry):
    return reverse("reflections:entry-edit", args=[entry.pk])


def detail_url(entry):
    return reverse("reflections:entry-detail", args=[entry.pk])


def new_entry(author, **fields):
    return Entry.objects.create(
        author=author,
        task=fields.pop("task", Task.WORLDVIEW),
        title=fields.pop("title", "Whose words?"),
        body=fields.pop("body", 'Handover called R. "resistant". I carried that word into our first talk.'),
        week=fields.pop("week", current_week(author)),
        **fields,
    )


def entry_data(author, **overrides):
    return {
        "task": Task.CONNECTION,
        "title": "The kettle conversation",
        "body": TYPED,
        "week": current_week(author).isoformat(),
        **overrides,
    }


# Creating -------------------------------------------------------------------------------------
def test_it_saves_a_new_entry_as_private(client_for, author):
    c = client_for(author)
    response = c.post(NEW, entry_data(author))
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(entry)
    assert (entry.author, entry.task, entry.title, entry.body) == (
        author,
        "connection",
        "The kettle conversation",
        TYPED,
    )
    assert entry.pair is None and entry.version == 1
    assert entry.week == current_week(author)
    page = c.get(response.url).content.decode()
    assert "Saved. Only you can read this entry until you share it." in page
    assert "Only you can read this." in page  # the who-can-read line


def test_the_write_page_shows_the_chosen_tasks_prompts(client_for, author):
    html = client_for(author).get(NEW + "?task=mutuality").content.decode()
    assert "What did I learn from them, and did I tell them?" in html
    # Every task's prompts are on the page (the script switches them); only the chosen one shows.
    assert re.search(r'data-task="mutuality"\s*>', html)
    for other in ["connection", "worldview", "moving_towards"]:
        assert re.search(rf'data-task="{other}"\s*hidden', html)
    assert 'value="mutuality" required id="id_task_2" checked>' in html
    assert html.count(" checked>") == 1


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"task": ""}, "Choose one of the four tasks."),
        ({"task": "healing"}, "Select a valid choice."),
        ({"body": ""}, "Write something before saving — even a line is a start."),
        ({"body": "   \n\t  "}, "Write something before saving — even a line is a start."),
        ({"week": "2019-01-07"}, "Select a valid choice."),
        ({"week": "next tuesday"}, "Select a valid choice."),
        ({"title": "x" * 201}, "Ensure this value has at most 200 characters"),
    ],
    ids=["no-task", "unknown-task", "empty-body", "blank-body", "old-week", "garbled-week", "long-title"],
)
def test_it_refuses_an_invalid_entry_keeping_what_was_typed(client_for, author, overrides, message):
    data = entry_data(author, **overrides)
    response = client_for(author).post(NEW, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(message) in html
    if data["body"].strip():
        assert escape(data["body"]) in html
    if len(data["title"]) <= 200:
        assert escape(data["title"]) in html
    assert not Entry.objects.exists()


def test_it_keeps_hostile_text_escaped_in_the_form(client_for, author):
    body = '</textarea><script>alert("kept")</script>'
    response = client_for(author).post(NEW, entry_data(author, task="", body=body))
    html = response.content.decode()
    assert "<script>alert" not in html
    assert escape(body) in html


def test_it_normalises_a_week_to_its_monday(client_for, author):
    # The choices are Mondays; the cleaned value is a Monday even if a later day slipped in.
    form = EntryForm(entry_data(author), user=author)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["week"].weekday() == 0


def test_it_lets_the_writer_choose_an_earlier_week(client_for, author):
    three_weeks_ago = current_week(author) - dt.timedelta(weeks=3)
    client_for(author).post(NEW, entry_data(author, week=three_weeks_ago.isoformat()))
    assert Entry.objects.get().week == three_weeks_ago


# The default week: the writer's own ISO week, in their own time zone -----------------------
# Sunday 29 November 2026, 23:30 UTC: Monday already in Berlin and Auckland, still Sunday in
# London and Los Angeles.
LATE_SUNDAY_UTC = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)
# Monday 30 November 2026, 09:30 UTC: Monday everywhere but Pago Pago (UTC-11, 22:30 on Sunday).
MONDAY_MORNING_UTC = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "now,time_zone,week",
    [
        (LATE_SUNDAY_UTC, "Europe/London", dt.date(2026, 11, 23)),
        (LATE_SUNDAY_UTC, "America/Los_Angeles", dt.date(2026, 11, 23)),
        (LATE_SUNDAY_UTC, "Europe/Berlin", dt.date(2026, 11, 30)),
        (LATE_SUNDAY_UTC, "Pacific/Auckland", dt.date(2026, 11, 30)),
        (MONDAY_MORNING_UTC, "Europe/London", dt.date(2026, 11, 30)),
        (MONDAY_MORNING_UTC, "Pacific/Pago_Pago", dt.date(2026, 11, 23)),
        (MONDAY_MORNING_UTC, "Not/A_Zone", dt.date(2026, 11, 30)),  # unknown zone: UTC
    ],
)
def test_the_default_week_is_the_writers_iso_week_in_their_time_zone(
    monkeypatch, client_for, team, now, time_zone, week
):
    monkeypatch.setattr(timezone, "now", lambda: now)
    writer = make_person("ines.duarte@riverside.example.org", "Inês Duarte", time_zone=time_zone)
    Membership.objects.create(team=team, user=writer, role=Role.PEER)
    c = client_for(writer)
    response = c.get(NEW)
    assert response.context["form"]["week"].value() == week.isoformat()
    assert f'<option value="{week.isoformat()}" selected>' in response.content.decode()
    # Saving without touching the week files the entry under that week.
    data = {"task": Task.CONNECTION, "title": "", "body": TYPED, "week": week.isoformat()}
    assert c.post(NEW, data).status_code == 302
    assert Entry.objects.get(author=writer).week == week


def test_the_week_choices_follow_the_writers_clock(monkeypatch, team):
    monkeypatch.setattr(timezone, "now", lambda: LATE_SUNDAY_UTC)
    auckland = make_person("aroha.ngata@riverside.example.org", "Aroha Ngata", time_zone="Pacific/Auckland")
    london = make_person("sam.l@riverside.example.org", "Sam L.", time_zone="Europe/London")
    first_auckland = EntryForm(user=auckland).fields["week"].choices[0]
    first_london = EntryForm(user=london).fields["week"].choices[0]
    assert first_auckland[0] == "2026-11-30" and first_auckland[1].startswith("This week")
    assert first_london[0] == "2026-11-23" and first_london[1].startswith("This week")


# Editing --------------------------------------------------------------------------------------
def test_an_edit_keeps_the_earlier_version(client_for, author):
    entry = new_entry(author)
    c = client_for(author)
    response = c.post(
        edit_url(entry), entry_data(author, task=Task.WORLDVIEW, title="Whose words?", version=1)
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.version, entry.body) == (2, TYPED)
    revision = Revision.objects.get()
    assert (revision.entry, revision.version, revision.task) == (entry, 1, "worldview")
    assert revision.body.startswith('Handover called R. "resistant".')
    assert "Saved. The earlier version is kept" in c.get(response.url).content.decode()
    history = c.get(reverse("reflections:entry-revisions", args=[entry.pk])).content.decode()
    assert "Version 1" in history
    assert "Handover called R." in history
    assert "I carried that word into our first talk." in history


def test_an_edit_that_changes_nothing_keeps_no_revision(client_for, author):
    entry = new_entry(author)
    data = {
        "task": entry.task,
        "title": entry.title,
        "body": entry.body,
        "week": entry.week.isoformat(),
        "version": 1,
    }
    assert client_for(author).post(edit_url(entry), data).status_code == 302
    entry.refresh_from_db()
    assert entry.version == 1
    assert not Revision.objects.exists()


def test_an_edit_on_an_out_of_date_copy_shows_both_texts_and_changes_nothing(client_for, author):
    entry = new_entry(author, body="First draft, saved from the first tab.")
    flows.edit_entry(entry.pk, author, {"body": "Second thoughts, saved from the other tab."}, base_version=1)
    before = Entry.objects.values().get(pk=entry.pk)
    mine = "Written in this tab, from the old copy.\n\nNothing here should be lost."
    response = client_for(author).post(
        edit_url(entry), entry_data(author, task=entry.task, body=mine, version=1)
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "This entry changed while you were writing" in html
    assert "Second thoughts, saved from the other tab." in html  # the saved version
    assert html.count(escape("Written in this tab, from the old copy.")) >= 2  # mine: shown and in the form
    assert '<input type="hidden" name="version" value="2"' in html  # saving again is deliberate
    assert Entry.objects.values().get(pk=entry.pk) == before
    assert Revision.objects.count() == 1


def test_saving_again_after_a_conflict_replaces_the_text_and_keeps_history(client_for, author):
    entry = new_entry(author, body="First draft.")
    flows.edit_entry(entry.pk, author, {"body": "Other tab."}, base_version=1)
    c = client_for(author)
    c.post(edit_url(entry), entry_data(author, body="Mine.", version=1))
    response = c.post(edit_url(entry), entry_data(author, body="Mine.", version=2))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.body, entry.version) == ("Mine.", 3)
    assert list(entry.revisions.values_list("body", flat=True)) == ["Other tab.", "First draft."]


def test_the_edit_form_refuses_invalid_input_and_keeps_the_text(client_for, author):
    entry = new_entry(author)
    response = client_for(author).post(edit_url(entry), entry_data(author, task="", body=TYPED, version=1))
    assert response.status_code == 400
    assert escape(TYPED) in response.content.decode()
    entry.refresh_from_db()
    assert entry.version == 1


@pytest.mark.parametrize("persona,status", [("peer", 403), ("supervisor", 403), ("stranger", 404)])
def test_only_the_author_edits_a_shared_entry(request, client_for, shared_entry, persona, status):
    user = request.getfixturevalue(persona)
    c = client_for(user)
    assert c.get(edit_url(shared_entry)).status_code == status
    assert c.post(edit_url(shared_entry), entry_data(user, version=1)).status_code == status
    assert c.get(reverse("reflections:entry-revisions", args=[shared_entry.pk])).status_code == status
    shared_entry.refresh_from_db()
    assert shared_entry.version == 1


# Saving after the session expired ------------------------------------------------------------
def stash_while_signed_out(author, path=NEW, **overrides):
    """The form was rendered while Maya was signed in (so it carries her author token); the
    session ended before she pressed Save."""
    browser = Client()
    data = {**entry_data(author, **overrides), "author_token": sign_author(author), "draft_key": "tab-1"}
    response = browser.post(path, data)
    return browser, response


def sign_in(browser, user):
    response = browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_a_save_after_the_session_expired_asks_to_sign_in_and_keeps_the_text(author):
    browser, response = stash_while_signed_out(author)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={quote('/entries/new/?resume=1', safe='/')}"
    assert browser.session[STASH]["data"]["body"] == TYPED
    assert not Entry.objects.exists()


def test_signing_in_again_saves_exactly_what_was_typed(author):
    browser, _ = stash_while_signed_out(author)
    sign_in(browser, author)
    response = browser.get(NEW + "?resume=1", follow=True)
    entry = Entry.objects.get()
    assert (entry.author, entry.title, entry.body) == (author, "The kettle conversation", TYPED)
    assert response.redirect_chain[-1][0] == detail_url(entry)
    assert "Saved. Only you can read this entry" in response.content.decode()
    assert STASH not in browser.session


def test_an_unfinished_form_comes_back_after_signing_in_to_check_and_save(author):
    browser, _ = stash_while_signed_out(author, task="")
    sign_in(browser, author)
    response = browser.get(NEW + "?resume=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You were signed out before your text was saved. It is below — check it and save." in html
    assert escape(TYPED) in html
    assert "Choose one of the four tasks." in html
    assert not Entry.objects.exists()


def test_someone_else_signing_in_on_that_browser_never_sees_the_text(author, peer):
    browser, _ = stash_while_signed_out(author)
    sign_in(browser, peer)
    response = browser.get(NEW + "?resume=1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "mornings" not in html
    assert "You were signed out before your text was saved" not in html
    assert not Entry.objects.exists()
    assert STASH not in browser.session


def test_a_stash_without_a_valid_author_token_is_discarded(author):
    browser = Client()
    browser.post(NEW, {**entry_data(author), "author_token": "forged"})
    sign_in(browser, author)
    response = browser.get(NEW + "?resume=1")
    assert "mornings" not in response.content.decode()
    assert not Entry.objects.exists()


def test_an_edit_made_after_the_session_expired_is_applied_after_signing_in(author):
    entry = new_entry(author, body="Before the edit.")
    browser, response = stash_while_signed_out(author, path=edit_url(entry), version=1)
    assert response.url.endswith(quote(f"{edit_url(entry)}?resume=1", safe="/"))
    entry.refresh_from_db()
    assert entry.version == 1
    sign_in(browser, author)
    browser.get(edit_url(entry) + "?resume=1")
    entry.refresh_from_db()
    assert (entry.body, entry.version) == (TYPED, 2)
    assert entry.revisions.get().body == "Before the edit."


def test_an_expired_edit_on_an_out_of_date_copy_still_shows_both_texts(author):
    entry = new_entry(author, body="Before the edit.")
    browser, _ = stash_while_signed_out(author, path=edit_url(entry), version=1)
    flows.edit_entry(entry.pk, author, {"body": "Saved from the phone meanwhile."}, base_version=1)
    sign_in(browser, author)
    response = browser.get(edit_url(entry) + "?resume=1")
    assert response.status_code == 409
    assert escape(TYPED) in response.content.decode()
    entry.refresh_from_db()
    assert entry.body == "Saved from the phone meanwhile."


def test_anonymous_get_of_the_write_page_goes_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Drafts -----------------------------------------------------------------------------------------
DRAFT_SAVE = reverse("reflections:draft-save")


def test_autosave_creates_then_updates_one_draft(client_for, author):
    c = client_for(author)
    first = c.post(DRAFT_SAVE, {"draft_key": "tab-1", "task": "connection", "body": "Tuesday evening"})
    assert first.status_code == 200
    second = c.post(
        DRAFT_SAVE,
        {"draft_key": "tab-1", "task": "connection", "title": "Kettle", "body": "Tuesday evening, D. and I"},
    )
    draft = Draft.objects.get()
    assert second.json()["draft"] == first.json()["draft"] == draft.pk
    assert (draft.author, draft.title, draft.body, draft.task, draft.entry) == (
        author,
        "Kettle",
        "Tuesday evening, D. and I",
        "connection",
        None,
    )


def test_autosave_ignores_unknown_choices_and_garbled_weeks(client_for, author):
    client_for(author).post(
        DRAFT_SAVE, {"draft_key": "tab-1", "task": "healing", "week": "soon", "version": "x", "body": "Hm."}
    )
    draft = Draft.objects.get()
    assert (draft.task, draft.week, draft.base_version) == ("", None, None)


def test_autosave_needs_a_key(client_for, author):
    response = client_for(author).post(DRAFT_SAVE, {"body": "Tuesday evening"})
    assert response.status_code == 400
    assert not Draft.objects.exists()


def test_autosave_of_an_edit_is_tied_to_the_entry(client_for, author):
    entry = new_entry(author)
    client_for(author).post(
        DRAFT_SAVE, {"draft_key": "tab-2", "entry": entry.pk, "version": "1", "body": "Second thoughts"}
    )
    draft = Draft.objects.get()
    assert (draft.entry, draft.base_version) == (entry, 1)


@pytest.mark.parametrize("persona,status", [("peer", 403), ("stranger", 404)])
def test_autosave_refuses_someone_elses_entry(request, client_for, shared_entry, persona, status):
    c = client_for(request.getfixturevalue(persona))
    response = c.post(DRAFT_SAVE, {"draft_key": "tab-3", "entry": shared_entry.pk, "body": "Mine now"})
    assert response.status_code == status
    assert not Draft.objects.exists()


def test_autosave_refuses_a_garbled_entry_id(client_for, author):
    response = client_for(author).post(DRAFT_SAVE, {"draft_key": "tab-3", "entry": "12abc", "body": "Hm"})
    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_saving_the_entry_deletes_its_draft(client_for, author):
    c = client_for(author)
    c.post(DRAFT_SAVE, {"draft_key": "tab-1", "body": "Tuesday evening"})
    Draft.objects.create(author=author, key="another-tab", body="Something else")
    c.post(NEW, {**entry_data(author), "draft_key": "tab-1"})
    assert list(Draft.objects.values_list("key", flat=True)) == ["another-tab"]


def test_saving_an_edit_deletes_its_draft(client_for, author):
    entry = new_entry(author)
    c = client_for(author)
    c.post(DRAFT_SAVE, {"draft_key": "tab-2", "entry": entry.pk, "body": "Second thoughts"})
    c.post(edit_url(entry), {**entry_data(author, version=1), "draft_key": "tab-2"})
    assert not Draft.objects.exists()


def test_a_draft_comes_back_on_the_write_page_and_on_the_dashboard(client_for, author):
    draft = Draft.objects.create(
        author=author, key="tab-1", task=Task.MOVING_TOWARDS, title="Mornings", body="What he wants more of"
    )
    c = client_for(author)
    assert "Mornings" in c.get(reverse("reflections:dashboard")).content.decode()
    html = c.get(f"{NEW}?draft={draft.pk}").content.decode()
    assert "What he wants more of" in html
    assert 'name="draft_key" value="tab-1"' in html


@pytest.mark.parametrize("value", ["12abc", "-1", "999999"])
def test_an_unknown_or_garbled_draft_id_is_not_found(client_for, author, value):
    assert client_for(author).get(f"{NEW}?draft={value}").status_code == 404


def test_nobody_opens_or_discards_someone_elses_draft(client_for, author, peer):
    draft = Draft.objects.create(author=author, key="tab-1", body="Only mine")
    c = client_for(peer)
    assert c.get(f"{NEW}?draft={draft.pk}").status_code == 404
    assert c.post(reverse("reflections:draft-delete", args=[draft.pk])).status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_discarding_a_draft(client_for, author):
    draft = Draft.objects.create(author=author, key="tab-1", body="Not going anywhere")
    response = client_for(author).post(reverse("reflections:draft-delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not Draft.objects.exists()


# Preview ----------------------------------------------------------------------------------------
PREVIEW = reverse("reflections:entry-preview")


def test_the_preview_renders_through_the_one_render_function(client_for, author):
    response = client_for(author).post(
        PREVIEW, {"body": "Mornings by the river.\n\n<script>alert(1)</script>"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "Mornings by the river." in html
    assert "<script>" not in html


def test_the_preview_takes_post_only_and_signed_in_people_only(client, client_for, author):
    assert client_for(author).get(PREVIEW).status_code == 405
    response = client.post(PREVIEW, {"body": "Hello"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Sharing ----------------------------------------------------------------------------------------
def share_url(entry):
    return reverse("reflections:entry-share", args=[entry.pk])


def unshare_url(entry):
    return reverse("reflections:entry-unshare", args=[entry.pk])


def test_sharing_into_the_authors_own_active_pair(client_for, author, pair):
    entry = new_entry(author)
    c = client_for(author)
    response = c.post(share_url(entry), {"pair": pair.pk}, follow=True)
    entry.refresh_from_db()
    assert (entry.pair, entry.shared is not None) == (pair, True)
    html = response.content.decode()
    assert "Shared into your thread with Sam Lindqvist" in html
    assert "Who can read this:" in html


@pytest.fixture
def foreign_pairs(team, other_team, peer):
    jordan = make_person("jordan.ellis@riverside.example.org", "Jordan Ellis")
    kofi = make_person("kofi.asante@harbourstreet.example.org", "Kofi Asante")
    ama = make_person("ama.owusu@harbourstreet.example.org", "Ama Owusu")
    return {
        # Sam's pair with Jordan: same team, but not Maya's.
        "same team": PeerPair.objects.create(team=team, inviter=peer, invitee=jordan, status="active"),
        "other team": PeerPair.objects.create(team=other_team, inviter=kofi, invitee=ama, status="active"),
    }


@pytest.mark.parametrize("which", ["same team", "other team", "unknown", "garbled"])
def test_sharing_into_someone_elses_pair_is_refused(client_for, author, pair, foreign_pairs, which):
    entry = new_entry(author)
    target = {"unknown": 999_999, "garbled": "x"}.get(which) or foreign_pairs[which].pk
    response = client_for(author).post(share_url(entry), {"pair": target}, follow=True)
    assert "Choose one of your active co-reflection pairs." in response.content.decode()
    entry.refresh_from_db()
    assert entry.pair is None


def test_sharing_into_a_pending_pair_is_refused(client_for, author, peer, team):
    pending = PeerPair.objects.create(team=team, inviter=author, invitee=peer)
    entry = new_entry(author)
    client_for(author).post(share_url(entry), {"pair": pending.pk})
    entry.refresh_from_db()
    assert entry.pair is None


def test_a_shared_entry_cannot_be_moved_to_another_thread(client_for, author, pair, shared_entry, peer, team):
    # Moving it would show Sam's notes to someone else and take the entry away from Sam.
    jordan = make_person("jordan.ellis@riverside.example.org", "Jordan Ellis")
    second = PeerPair.objects.create(team=team, inviter=author, invitee=jordan, status="active")
    add_note(shared_entry, peer, PASSAGE, "This stayed with me.")
    response = client_for(author).post(share_url(shared_entry), {"pair": second.pk}, follow=True)
    assert "already shared" in response.content.decode()
    shared_entry.refresh_from_db()
    assert shared_entry.pair == pair


@pytest.mark.parametrize("persona,status", [("peer", 403), ("supervisor", 403), ("stranger", 404)])
def test_only_the_author_shares_or_unshares(request, client_for, author, pair, shared_entry, persona, status):
    private = new_entry(author)
    c = client_for(request.getfixturevalue(persona))
    assert c.post(share_url(private), {"pair": pair.pk}).status_code == 404  # private: not even 403
    assert c.post(unshare_url(shared_entry)).status_code == status
    private.refresh_from_db()
    shared_entry.refresh_from_db()
    assert private.pair is None
    assert shared_entry.pair == pair


def test_unsharing_makes_the_entry_private_again(client_for, author, peer, shared_entry):
    add_note(shared_entry, author, PASSAGE, "A note to myself for Thursday.")  # her own note
    c = client_for(author)
    response = c.post(unshare_url(shared_entry), follow=True)
    assert "The entry is private again: only you can read it." in response.content.decode()
    shared_entry.refresh_from_db()
    assert (shared_entry.pair, shared_entry.shared) == (None, None)
    assert client_for(peer).get(detail_url(shared_entry)).status_code == 404


def test_unsharing_is_refused_once_the_peer_has_annotated(client_for, author, peer, pair, shared_entry):
    add_note(shared_entry, peer, "", "Can we start Thursday here?")
    c = client_for(author)
    assert "Make private again" not in c.get(detail_url(shared_entry)).content.decode()
    response = c.post(unshare_url(shared_entry), follow=True)
    assert (
        "Your peer has already written notes on this entry, so it stays shared." in response.content.decode()
    )
    shared_entry.refresh_from_db()
    assert shared_entry.pair == pair


def test_unsharing_is_refused_once_the_peer_has_replied(client_for, author, peer, pair, shared_entry):
    note = add_note(shared_entry, author, PASSAGE, "What made this possible?")
    Reply(annotation=note, author=peer, body="Neither of us had an agenda.").save()
    client_for(author).post(unshare_url(shared_entry))
    shared_entry.refresh_from_db()
    assert shared_entry.pair == pair


@pytest.mark.parametrize(
    "writing,unshareable",
    [([], True), (["own note"], True), (["peer note"], False), (["own note", "peer reply"], False)],
)
def test_the_page_offers_unsharing_exactly_when_it_is_allowed(
    client_for, author, peer, shared_entry, writing, unshareable
):
    note = None
    if "own note" in writing:
        note = add_note(shared_entry, author, PASSAGE, "For Thursday.")
    if "peer note" in writing:
        add_note(shared_entry, peer, "", "Thank you.")
    if "peer reply" in writing:
        Reply(annotation=note, author=peer, body="Yes.").save()
    # The page decides from the notes it already loaded; the flow asks the database.
    assert flows.can_unshare(shared_entry) is unshareable
    html = client_for(author).get(detail_url(shared_entry)).content.decode()
    assert ("Make private again" in html) is unshareable


def test_the_author_can_still_edit_after_the_peer_annotated(client_for, author, peer, shared_entry):
    add_note(shared_entry, peer, "", "Thank you for writing this.")
    response = client_for(author).post(
        edit_url(shared_entry), entry_data(author, body=shared_entry.body + "\n\nAdded later.", version=1)
    )
    assert response.status_code == 302
    shared_entry.refresh_from_db()
    assert shared_entry.version == 2


# Deleting ---------------------------------------------------------------------------------------
def test_delete_asks_first_and_says_what_goes(client_for, author, peer, shared_entry):
    build_notes(shared_entry, peer, 2, replies=1)
    flows.edit_entry(shared_entry.pk, author, {"title": "Tea"}, base_version=1)
    response = client_for(author).get(reverse("reflections:entry-delete", args=[shared_entry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete this reflection?" in html
    assert "2 notes on it, with their replies" in html
    assert "1 earlier version" in html
    assert Entry.objects.filter(pk=shared_entry.pk).exists()


def test_delete_removes_the_entry_with_its_notes_replies_and_history(client_for, author, peer, shared_entry):
    build_notes(shared_entry, peer, 2, replies=1)
    flows.edit_entry(shared_entry.pk, author, {"title": "Tea"}, base_version=1)
    response = client_for(author).post(reverse("reflections:entry-delete", args=[shared_entry.pk]))
    assert response.status_code == 302
    assert response.url == reverse("reflections:entry-list")
    assert not Entry.objects.exists()
    assert not Annotation.objects.exists()
    assert not Reply.objects.exists()
    assert not Revision.objects.exists()


@pytest.mark.parametrize("persona,status", [("peer", 403), ("supervisor", 403), ("stranger", 404)])
def test_only_the_author_deletes(request, client_for, shared_entry, persona, status):
    c = client_for(request.getfixturevalue(persona))
    url = reverse("reflections:entry-delete", args=[shared_entry.pk])
    assert c.get(url).status_code == status
    assert c.post(url).status_code == status
    assert Entry.objects.filter(pk=shared_entry.pk).exists()


# The entry list ---------------------------------------------------------------------------------
@pytest.fixture
def written(author, peer, pair):
    this_week = current_week(author)
    last_week = this_week - dt.timedelta(weeks=1)
    entries = {
        "connection now": new_entry(author, task=Task.CONNECTION, title="Kettle talk", week=this_week),
        "worldview now": new_entry(author, task=Task.WORLDVIEW, title="Whose words", week=this_week),
        "connection before": new_entry(author, task=Task.CONNECTION, title="Naming it", week=last_week),
        "peer's": new_entry(peer, task=Task.CONNECTION, title="Sam's own", week=this_week),
    }
    flows.share_entry(entries["connection before"], pair)
    return entries


def titles(response):
    return [e.title for e in response.context["page"]]


def test_the_list_shows_only_my_entries_newest_week_first(client_for, author, written):
    response = client_for(author).get(reverse("reflections:entry-list"))
    assert set(titles(response)) == {"Kettle talk", "Whose words", "Naming it"}
    assert titles(response)[-1] == "Naming it"
    html = response.content.decode()
    assert "Shared with Sam Lindqvist" in html
    assert "Sam&#x27;s own" not in html


def test_the_list_filters_by_task(client_for, author, written):
    response = client_for(author).get(reverse("reflections:entry-list"), {"task": "connection"})
    assert set(titles(response)) == {"Kettle talk", "Naming it"}


def test_the_list_filters_by_week_any_day_of_it(client_for, author, written):
    last_week = current_week(author) - dt.timedelta(weeks=1)
    wednesday = last_week + dt.timedelta(days=2)
    response = client_for(author).get(reverse("reflections:entry-list"), {"week": wednesday.isoformat()})
    assert titles(response) == ["Naming it"]


def test_the_list_combines_filters_and_says_when_nothing_matches(client_for, author, written):
    last_week = current_week(author) - dt.timedelta(weeks=1)
    url = reverse("reflections:entry-list")
    c = client_for(author)
    assert titles(c.get(url, {"task": "connection", "week": last_week.isoformat()})) == ["Naming it"]
    empty = c.get(url, {"task": "mutuality"})
    assert "No entries match those filters." in empty.content.decode()


@pytest.mark.parametrize("params", [{"task": "healing"}, {"week": "last tuesday"}, {"page": "x"}])
def test_the_list_ignores_garbled_filters(client_for, author, written, params):
    response = client_for(author).get(reverse("reflections:entry-list"), params)
    assert response.status_code == 200
    assert len(titles(response)) == 3
