"""Notes on passages and on whole entries: who may write, edit, resolve and reply; and how notes
follow their passage when the entry is edited — or are kept as orphans, never moved elsewhere."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from reflections import flows
from reflections.anchoring import rendered_text
from reflections.models import Annotation, Entry, Reply, Task
from reflections.weeks import current_week
from tests.reflections.conftest import PASSAGE, SHARED_BODY, add_note, selectors

NOTE = "This is where I felt it shift too. What made it possible, do you think?"


def create_url(entry):
    return reverse("reflections:annotation-create", args=[entry.pk])


def detail_url(entry):
    return reverse("reflections:entry-detail", args=[entry.pk])


def note_attrs(html, note):
    """data-start, data-end and data-exact of a note's list item on the entry page."""
    match = re.search(
        rf'id="note-{note.pk}"\s*data-start="(\d+)" data-end="(\d+)" data-exact="([^"]*)"', html
    )
    return match and (int(match[1]), int(match[2]), match[3])


def edit_entry(client, entry, body):
    entry.refresh_from_db()
    data = {
        "task": entry.task,
        "title": entry.title,
        "body": body,
        "week": entry.week.isoformat(),
        "version": entry.version,
    }
    response = client.post(reverse("reflections:entry-edit", args=[entry.pk]), data)
    assert response.status_code == 302, response.content.decode()[:300]


# Writing a note -------------------------------------------------------------------------------
def test_it_notes_a_passage_with_its_selectors(client_for, peer, shared_entry):
    c = client_for(peer)
    response = c.post(
        create_url(shared_entry), {"body": NOTE, "task": "connection", **selectors(shared_entry, PASSAGE)}
    )
    note = Annotation.objects.get()
    assert response.status_code == 302
    assert response.url == f"{detail_url(shared_entry)}#note-{note.pk}"
    text = rendered_text(shared_entry.body_html)
    start = text.index(PASSAGE)
    assert (note.entry, note.author, note.task, note.body) == (shared_entry, peer, "connection", NOTE)
    assert (note.exact, note.start, note.end) == (PASSAGE, start, start + len(PASSAGE))
    assert note.prefix == text[start - 32 : start]
    assert note.suffix == text[start + len(PASSAGE) : start + len(PASSAGE) + 32]
    assert not note.orphaned
    html = c.get(response.url).content.decode()
    assert "Your note is saved beside the passage." in html
    assert note_attrs(html, note) == (note.start, note.end, escape(PASSAGE))
    assert escape(NOTE) in html


def test_the_author_can_note_her_own_shared_entry(client_for, author, shared_entry):
    response = client_for(author).post(
        create_url(shared_entry), {"body": "To come back to.", **selectors(shared_entry, PASSAGE)}
    )
    assert response.status_code == 302
    assert Annotation.objects.get().author == author


def test_the_server_keeps_its_own_context_whatever_the_page_sent(client_for, peer, shared_entry):
    fields = {**selectors(shared_entry, PASSAGE), "prefix": "", "suffix": ""}
    client_for(peer).post(create_url(shared_entry), {"body": NOTE, **fields})
    note = Annotation.objects.get()
    assert note.prefix.endswith("courgettes. ")
    assert note.suffix.startswith("\n") or note.suffix.startswith("Then")


def test_it_notes_a_passage_after_an_emoji_in_utf16_offsets(client_for, author, peer, pair):
    body = "We laughed 😂 about the courgettes 🥒, and then I felt most connected. It stayed with me."
    entry = Entry.objects.create(author=author, task=Task.CONNECTION, body=body, week=current_week(author))
    flows.share_entry(entry, pair)
    # What the page script sends: JavaScript's offsets, two units per emoji.
    js_start = body.index("I felt most connected") + 2
    fields = selectors(entry, "I felt most connected")
    assert (fields["start"], fields["end"]) == (js_start, js_start + 21)
    c = client_for(peer)
    c.post(create_url(entry), {"body": NOTE, **fields})
    note = Annotation.objects.get()
    assert (note.start, note.end, note.exact) == (js_start, js_start + 21, "I felt most connected")
    assert note_attrs(c.get(detail_url(entry)).content.decode(), note)[:2] == (js_start, js_start + 21)


def test_it_tells_two_identical_phrases_apart_by_their_context(client_for, author, peer, pair):
    body = "At the allotment I felt connected.\n\nLater, at home, I felt connected again."
    entry = Entry.objects.create(author=author, task=Task.CONNECTION, body=body, week=current_week(author))
    flows.share_entry(entry, pair)
    fields = selectors(entry, "I felt connected", occurrence=1)
    response = client_for(peer).post(create_url(entry), {"body": NOTE, **fields})
    assert response.status_code == 302
    note = Annotation.objects.get()
    assert (note.start, note.prefix) == (fields["start"], fields["prefix"])
    assert note.prefix.endswith("at home, ")  # the space before the quote is part of its context


def crlf(fields):
    """What a browser sends: every line break in a form field becomes CRLF."""
    return {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in fields.items()}


def test_it_notes_a_passage_across_paragraphs_sent_with_crlf(client_for, peer, shared_entry):
    text = rendered_text(shared_entry.body_html)
    passage = text[text.index("right then.") : text.index("Then I asked about her week") + 27]
    assert "\n" in passage
    fields = selectors(shared_entry, passage)
    response = client_for(peer).post(create_url(shared_entry), {"body": NOTE, **crlf(fields)})
    assert response.status_code == 302
    note = Annotation.objects.get()
    assert (note.exact, note.start, note.end) == (passage, fields["start"], fields["end"])
    assert note.suffix == fields["suffix"]


def test_it_notes_the_whole_entry(client_for, peer, shared_entry):
    c = client_for(peer)
    response = c.post(create_url(shared_entry), {"body": "Thank you for writing this so honestly."})
    note = Annotation.objects.get()
    assert response.status_code == 302
    assert (note.exact, note.prefix, note.suffix, note.start, note.end) == ("", "", "", None, None)
    assert note.is_whole_entry
    html = c.get(detail_url(shared_entry)).content.decode()
    assert "On the whole entry" in html
    assert note_attrs(html, note) is None


def test_a_note_on_a_passage_that_moved_since_the_page_loaded_is_placed_on_it(
    client_for, author, peer, shared_entry
):
    fields = selectors(shared_entry, PASSAGE)  # the page the peer loaded
    edit_entry(client_for(author), shared_entry, "A line added at the top.\n\n" + SHARED_BODY)
    client_for(peer).post(create_url(shared_entry), {"body": NOTE, **fields})
    note = Annotation.objects.get()
    shared_entry.refresh_from_db()
    text = rendered_text(shared_entry.body_html)
    assert (note.start, note.end) == (text.index(PASSAGE), text.index(PASSAGE) + len(PASSAGE))
    assert note.start != fields["start"]


@pytest.mark.parametrize(
    "new_body",
    [
        SHARED_BODY.replace(PASSAGE, "Nothing much happened."),
        f"{PASSAGE} I wrote it first here.\n\nAnd then, later: {PASSAGE}",
    ],
    ids=["passage-gone", "passage-now-twice"],
)
def test_a_note_on_a_passage_that_changed_since_the_page_loaded_is_refused_with_the_note_kept(
    client_for, author, peer, shared_entry, new_body
):
    fields = selectors(shared_entry, PASSAGE)
    edit_entry(client_for(author), shared_entry, "Rewritten opening.\n\n" + new_body)
    response = client_for(peer).post(create_url(shared_entry), {"body": NOTE, **fields})
    assert response.status_code == 400
    html = response.content.decode()
    assert "That passage has changed since the page was loaded. Reload the entry and select it again." in html
    assert escape(NOTE) in html
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"body": ""},
        {"body": "   "},
        {"body": NOTE, "task": "healing"},
        {"body": NOTE, "start": "soon", "exact": "x"},
    ],
    ids=["empty", "blank", "unknown-task", "garbled-offset"],
)
def test_an_invalid_note_is_refused_with_what_was_typed_kept(client_for, peer, shared_entry, fields):
    response = client_for(peer).post(create_url(shared_entry), fields)
    assert response.status_code == 400
    if fields["body"].strip():
        assert escape(fields["body"]) in response.content.decode()
    else:
        assert "Write your note before saving it." in response.content.decode()
    assert not Annotation.objects.exists()


def note_form_of(html):
    return re.search(r'<form[^>]*id="note-form".*?</form>', html, re.S)[0]


def test_the_blank_note_form_is_the_forms_own_fields_and_a_refused_one_keeps_its_text(
    client_for, peer, shared_entry
):
    """The blank form's fields are rendered once per process (views.annotations): they must be
    exactly what the form renders, and a refused note must show its own bound form instead."""
    from reflections.forms import AnnotationForm

    blank = AnnotationForm()
    html = note_form_of(client_for(peer).get(detail_url(shared_entry)).content.decode())
    for field in ["body", "task"]:
        assert str(blank[field].as_field_group()) in html
    for hidden in blank.hidden_fields():
        assert str(hidden) in html

    typed = "I want to stay with this passage — it is where I noticed myself wanting to fix things."
    refused = client_for(peer).post(create_url(shared_entry), {"body": typed, "task": "healing"})
    html = note_form_of(refused.content.decode())
    assert escape(typed) in html
    assert 'aria-invalid="true"' in html
    # The next visit gets a blank form again, not the refused one.
    html = note_form_of(client_for(peer).get(detail_url(shared_entry)).content.decode())
    assert escape(typed) not in html


def test_each_reply_box_names_the_notes_author(client_for, author, peer, shared_entry):
    """Each reply box's label names the note's author, whichever peer wrote it."""
    by_author = add_note(shared_entry, author, "", "I keep coming back to this week.")
    by_peer = add_note(shared_entry, peer, PASSAGE, NOTE)
    html = client_for(peer).get(detail_url(shared_entry)).content.decode()
    for note in [by_author, by_peer]:
        label = re.search(rf'<label for="reply-{note.pk}-body">([^<]*)</label>', html)[1]
        assert label == escape(f"Your reply to {note.author.name}")


def test_a_note_is_shown_escaped(client_for, author, peer, shared_entry):
    add_note(shared_entry, peer, "", '<img src=x onerror="alert(1)"> I noticed this too.')
    html = client_for(author).get(detail_url(shared_entry)).content.decode()
    assert "<img src=x" not in html
    assert "I noticed this too." in html


@pytest.mark.parametrize(
    "persona,status", [("supervisor", 403), ("other_supervisor", 404), ("stranger", 404), ("trainee", 404)]
)
def test_only_the_peers_annotate(request, client_for, shared_entry, persona, status):
    c = client_for(request.getfixturevalue(persona))
    response = c.post(create_url(shared_entry), {"body": NOTE, **selectors(shared_entry, PASSAGE)})
    assert response.status_code == status
    assert not Annotation.objects.exists()


def test_the_supervisor_reads_notes_but_gets_no_form(client_for, peer, supervisor, shared_entry):
    add_note(shared_entry, peer, PASSAGE, NOTE)
    html = client_for(supervisor).get(detail_url(shared_entry)).content.decode()
    assert escape(NOTE) in html
    assert 'id="note-form"' not in html
    assert "Mark resolved" not in html
    assert "Send reply" not in html


def test_a_private_entry_takes_no_notes(client_for, author, peer, private_entry):
    assert client_for(peer).post(create_url(private_entry), {"body": NOTE}).status_code == 404
    assert client_for(author).post(create_url(private_entry), {"body": NOTE}).status_code == 403
    assert not Annotation.objects.exists()


def test_annotating_takes_post_only(client_for, peer, shared_entry):
    assert client_for(peer).get(create_url(shared_entry)).status_code == 405


# Editing and deleting a note -----------------------------------------------------------------
@pytest.fixture
def note(shared_entry, peer):
    return add_note(shared_entry, peer, PASSAGE, NOTE, task=Task.CONNECTION)


def test_the_notes_author_edits_it(client_for, peer, note):
    c = client_for(peer)
    url = reverse("reflections:annotation-edit", args=[note.pk])
    form = c.get(url)
    assert form.status_code == 200
    assert escape(PASSAGE) in form.content.decode()
    response = c.post(
        url, {"body": "On second thought: what made it possible for *you*?", "task": "mutuality"}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.body, note.task) == ("On second thought: what made it possible for *you*?", "mutuality")
    assert note.exact == PASSAGE  # the passage stays
    assert note.updated > note.created


def test_an_empty_edit_is_refused_and_changes_nothing(client_for, peer, note):
    response = client_for(peer).post(reverse("reflections:annotation-edit", args=[note.pk]), {"body": ""})
    assert response.status_code == 400
    assert "A note cannot be empty. Delete it instead?" in response.content.decode()
    note.refresh_from_db()
    assert note.body == NOTE


@pytest.mark.parametrize(
    "persona,status", [("author", 403), ("supervisor", 403), ("other_supervisor", 404), ("stranger", 404)]
)
def test_only_the_notes_author_edits_or_deletes_it(request, client_for, note, persona, status):
    c = client_for(request.getfixturevalue(persona))
    assert c.get(reverse("reflections:annotation-edit", args=[note.pk])).status_code == status
    assert (
        c.post(reverse("reflections:annotation-edit", args=[note.pk]), {"body": "Mine now"}).status_code
        == status
    )
    assert c.post(reverse("reflections:annotation-delete", args=[note.pk])).status_code == status
    note.refresh_from_db()
    assert note.body == NOTE


def test_the_notes_author_deletes_it_with_its_replies(client_for, author, peer, shared_entry, note):
    Reply(annotation=note, author=author, body="Neither of us had an agenda.").save()
    response = client_for(peer).post(reverse("reflections:annotation-delete", args=[note.pk]))
    assert response.status_code == 302
    assert response.url == detail_url(shared_entry)
    assert not Annotation.objects.exists()
    assert not Reply.objects.exists()


def test_the_page_offers_edit_and_delete_only_to_the_notes_author(
    client_for, author, peer, shared_entry, note
):
    edit = reverse("reflections:annotation-edit", args=[note.pk])
    assert edit in client_for(peer).get(detail_url(shared_entry)).content.decode()
    assert edit not in client_for(author).get(detail_url(shared_entry)).content.decode()


# Resolving ------------------------------------------------------------------------------------
def test_either_peer_resolves_and_reopens(client_for, author, peer, note):
    url = reverse("reflections:annotation-resolve", args=[note.pk])
    response = client_for(author).post(url, follow=True)
    note.refresh_from_db()
    assert note.resolved is not None and note.resolved_by == author
    assert "Marked as resolved." in response.content.decode()
    assert "Reopen" in response.content.decode()
    response = client_for(peer).post(url, follow=True)
    note.refresh_from_db()
    assert (note.resolved, note.resolved_by) == (None, None)
    assert "Opened again." in response.content.decode()


@pytest.mark.parametrize(
    "persona,status", [("supervisor", 403), ("other_supervisor", 404), ("stranger", 404)]
)
def test_nobody_else_resolves(request, client_for, note, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("reflections:annotation-resolve", args=[note.pk])
    )
    assert response.status_code == status
    note.refresh_from_db()
    assert note.resolved is None


# Replies --------------------------------------------------------------------------------------
def test_the_peers_reply_to_a_note(client_for, author, peer, note):
    url = reverse("reflections:reply-create", args=[note.pk])
    response = client_for(author).post(url, {"body": "Neither of us had an agenda, I think."})
    assert response.status_code == 302
    assert response.url.endswith(f"#note-{note.pk}")
    client_for(peer).post(url, {"body": "That rings true."})
    assert list(note.replies.values_list("author", "body")) == [
        (author.pk, "Neither of us had an agenda, I think."),
        (peer.pk, "That rings true."),
    ]
    html = client_for(peer).get(detail_url(note.entry)).content.decode()
    assert html.index("Neither of us had an agenda") < html.index("That rings true.")


def test_an_empty_reply_is_refused_with_a_message(client_for, author, note):
    response = client_for(author).post(reverse("reflections:reply-create", args=[note.pk]), {"body": " "})
    assert response.status_code == 400
    assert "Write your reply before sending it." in response.content.decode()
    assert not Reply.objects.exists()


def test_a_refused_reply_stays_in_its_notes_open_reply_box(client_for, author, shared_entry, note):
    other = add_note(shared_entry, author, "", "I keep coming back to this week.")
    too_long = "When you said the silence felt like care, I noticed I had read it as distance. " * 260
    response = client_for(author).post(
        reverse("reflections:reply-create", args=[note.pk]), {"body": too_long}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 20000 characters" in html
    boxes = re.findall(
        r'<details class="reply-box"( open)?>.*?id="reply-(\d+)-body"[^>]*>([^<]*)</textarea>', html, re.S
    )
    assert {int(pk): (bool(opened), text) for opened, pk, text in boxes} == {
        note.pk: (True, escape(too_long)),
        other.pk: (False, ""),
    }
    assert not Reply.objects.exists()


@pytest.mark.parametrize(
    "persona,status", [("supervisor", 403), ("other_supervisor", 404), ("stranger", 404)]
)
def test_nobody_else_replies(request, client_for, note, persona, status):
    c = client_for(request.getfixturevalue(persona))
    assert c.post(reverse("reflections:reply-create", args=[note.pk]), {"body": "Hi"}).status_code == status
    assert not Reply.objects.exists()


@pytest.fixture
def reply(note, author):
    reply = Reply(annotation=note, author=author, body="Neither of us had an agenda.")
    reply.save()
    return reply


def test_the_replys_author_edits_and_deletes_it(client_for, author, reply):
    c = client_for(author)
    url = reverse("reflections:reply-edit", args=[reply.pk])
    assert c.get(url).status_code == 200
    assert c.post(url, {"body": "Neither of us had a plan for the other."}).status_code == 302
    reply.refresh_from_db()
    assert reply.body == "Neither of us had a plan for the other."
    assert c.post(url, {"body": ""}).status_code == 400
    assert c.post(reverse("reflections:reply-delete", args=[reply.pk])).status_code == 302
    assert not Reply.objects.exists()


@pytest.mark.parametrize("persona,status", [("peer", 403), ("supervisor", 403), ("stranger", 404)])
def test_only_the_replys_author_changes_it(request, client_for, reply, persona, status):
    c = client_for(request.getfixturevalue(persona))
    assert c.post(reverse("reflections:reply-edit", args=[reply.pk]), {"body": "x"}).status_code == status
    assert c.post(reverse("reflections:reply-delete", args=[reply.pk])).status_code == status
    reply.refresh_from_db()
    assert reply.body == "Neither of us had an agenda."


# Re-anchoring after the author edits --------------------------------------------------------
@pytest.fixture
def notes(shared_entry, peer):
    return {
        "connected": add_note(shared_entry, peer, "The moment I felt most connected", "Yes — this."),
        "loosened": add_note(shared_entry, peer, PASSAGE, NOTE),
        "whole": add_note(shared_entry, peer, "", "Thank you for this."),
    }


def fresh(notes):
    for note in notes.values():
        note.refresh_from_db()
    return notes


def test_an_edit_elsewhere_leaves_notes_where_they_were(client_for, author, shared_entry, notes):
    before = {k: (n.start, n.end) for k, n in notes.items()}
    edit_entry(client_for(author), shared_entry, SHARED_BODY + "\n\nAdded after Thursday's talk.")
    after = fresh(notes)
    assert {k: (n.start, n.end) for k, n in after.items()} == before
    assert not any(n.orphaned for n in after.values())


def test_a_moved_passage_takes_its_note_along(client_for, author, peer, shared_entry, notes):
    paragraphs = SHARED_BODY.split("\n\n")
    moved = "\n\n".join([paragraphs[2], "A new thought in between.", paragraphs[0], paragraphs[1]])
    c = client_for(author)
    edit_entry(c, shared_entry, moved)
    shared_entry.refresh_from_db()
    text = rendered_text(shared_entry.body_html)
    note = fresh(notes)["loosened"]
    assert (note.start, note.end) == (text.index(PASSAGE), text.index(PASSAGE) + len(PASSAGE))
    assert text[note.start : note.end] == PASSAGE
    assert not note.orphaned
    # The page the peer sees highlights the passage at its new place.
    html = client_for(peer).get(detail_url(shared_entry)).content.decode()
    assert note_attrs(html, note) == (note.start, note.end, escape(PASSAGE))


def test_it_orphans_a_note_whose_passage_was_deleted(client_for, author, peer, shared_entry, notes):
    edit_entry(client_for(author), shared_entry, SHARED_BODY.replace(PASSAGE + "\n\n", "\n\n"))
    after = fresh(notes)
    assert after["loosened"].orphaned
    assert not after["connected"].orphaned
    assert not after["whole"].orphaned
    html = client_for(peer).get(detail_url(shared_entry)).content.decode()
    orphan = html[html.index(f'id="note-{after["loosened"].pk}"') :]
    assert "The passage this note was on has changed. It was on:" in orphan[:1500]
    assert escape(PASSAGE) in orphan[:1500]
    assert note_attrs(html, after["loosened"]) is None  # nothing is highlighted for it


def test_it_orphans_a_note_whose_passage_is_now_duplicated(client_for, author, shared_entry, notes):
    rewritten = (
        "I keep coming back to one line. " + PASSAGE + "\n\n"
        "We talked about the week at home. " + PASSAGE + " It was the same on Friday."
    )
    edit_entry(client_for(author), shared_entry, rewritten)
    note = fresh(notes)["loosened"]
    assert note.orphaned
    assert note.exact == PASSAGE  # the quote is kept, never swapped for another passage


def test_an_orphan_is_never_attached_to_a_similar_passage(client_for, author, shared_entry, notes):
    edit_entry(
        client_for(author),
        shared_entry,
        SHARED_BODY.replace(PASSAGE, "Something loosened between us, later on."),
    )
    note = fresh(notes)["loosened"]
    assert note.orphaned
    assert note.exact == PASSAGE


def test_an_orphan_comes_back_when_its_exact_passage_returns(client_for, author, shared_entry, notes):
    c = client_for(author)
    edit_entry(c, shared_entry, SHARED_BODY.replace(PASSAGE, ""))
    assert fresh(notes)["loosened"].orphaned
    edit_entry(c, shared_entry, SHARED_BODY)
    note = fresh(notes)["loosened"]
    assert not note.orphaned
    shared_entry.refresh_from_db()
    assert rendered_text(shared_entry.body_html)[note.start : note.end] == PASSAGE


def test_reanchoring_counts_emoji_as_the_page_does(client_for, author, peer, pair):
    body = "We laughed about the courgettes. I felt most connected then."
    entry = Entry.objects.create(author=author, task=Task.CONNECTION, body=body, week=current_week(author))
    flows.share_entry(entry, pair)
    note = add_note(entry, peer, "I felt most connected", NOTE)
    edit_entry(
        client_for(author), entry, "🌱🌱 We laughed 😂 about the courgettes. I felt most connected then."
    )
    note.refresh_from_db()
    entry.refresh_from_db()
    text = rendered_text(entry.body_html)
    js_start = text.index("I felt most connected") + 3  # three emoji before: three extra units
    assert (note.start, note.end, note.orphaned) == (js_start, js_start + 21, False)


def test_the_entry_page_lists_passages_in_text_order_then_whole_entry_then_orphans(
    client_for, author, peer, shared_entry, notes
):
    edit_entry(
        client_for(author), shared_entry, SHARED_BODY.replace("The moment I felt most connected", "Then")
    )
    html = client_for(peer).get(detail_url(shared_entry)).content.decode()
    order = [html.index(f'id="note-{notes[k].pk}"') for k in ["loosened", "whole", "connected"]]
    assert order == sorted(order)
