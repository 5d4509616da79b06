"""Co-reflection end to end, as people do it in Chromium, with axe on every page visited.

Two peers (Maya and Sam, supervised by Rosa) pair up, write, share, annotate a passage with the
mouse and with the keyboard, reply and resolve; notes follow an edited passage or are shown as
orphaned; writing survives an expired session, a second tab and a reload; and the pages hold up
on a phone.
"""

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from reflections.anchoring import locate, quote_at, rendered_text
from reflections.models import Annotation, Draft, Entry, PeerPair, Reply, Revision, Task
from reflections.weeks import current_week
from tests.browser.conftest import check_page, screenshot
from tests.conftest import PASSWORD

# Markdown as people write it: emphasis, strong, a quote, a list — and a passage to note that
# crosses the <strong> element.
BODY = (
    "When Jo said she *didn't want* another plan, I felt the pull to **fix it** straight away.\n"
    "\n"
    "> Nobody asks what I want to move towards.\n"
    "\n"
    "- I asked what had helped before\n"
    "- I stayed with the silence for a while"
)
PASSAGE = "I felt the pull to fix it"  # in the rendered text: "fix it" is inside <strong>


# --- Helpers ------------------------------------------------------------------------------------


def visit(page, path, name=None):
    page.goto(path)
    return check_page(page, name)


def drag_select(page, text):
    """Select `text` in #entry-body as a person does: press the mouse before its first character
    and drag to just after its last one."""
    box = page.evaluate(
        """(text) => {
          const body = document.getElementById("entry-body");
          const at = body.textContent.indexOf(text);
          if (at < 0) throw new Error(`not in the entry: ${text}`);
          const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
          const charRect = (offset) => {
            let position = 0;
            walker.currentNode = body;
            while (walker.nextNode()) {
              const node = walker.currentNode;
              if (offset < position + node.data.length) {
                const range = document.createRange();
                range.setStart(node, offset - position);
                range.setEnd(node, offset - position + 1);
                return range.getBoundingClientRect();
              }
              position += node.data.length;
            }
          };
          const first = charRect(at), last = charRect(at + text.length - 1);
          return {
            x1: first.left + 1, y1: first.top + first.height / 2,
            x2: last.right - 1, y2: last.top + last.height / 2,
          };
        }""",
        text,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def tab_to(page, target, limit=40):
    """Press Tab until `target` has the focus, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with {limit} presses of Tab")


def marked_text(page):
    """The highlighted passages of the entry body, each note's marks joined."""
    return page.evaluate(
        """() => {
          const byNote = {};
          for (const mark of document.querySelectorAll("#entry-body mark.note-mark")) {
            byNote[mark.dataset.note] = (byNote[mark.dataset.note] || "") + mark.textContent;
          }
          return byNote;
        }"""
    )


def messages(page):
    """The page's messages (role=status): what the server said after the last action."""
    return page.locator(".messages")


def who_can_read(page):
    return page.get_by_role("complementary", name="Who can read this")


def note_item(page, note):
    return page.locator(f"#note-{note.pk}")


def save_entry(page):
    page.get_by_role("button", name=re.compile(r"^Save")).click()
    page.wait_for_load_state()


def week_before(user):
    return (current_week(user) - dt.timedelta(weeks=1)).isoformat()


def forgive_status(page, status):
    """A page deliberately answered with this HTTP status (409 conflict): Chromium logs it as a
    console error, which is expected here; any other problem still fails check_page."""
    page.context.problems = [p for p in page.context.problems if f"status of {status}" not in p]


def as_typed(text):
    """A textarea submits its line breaks as CRLF (HTML spec); what the person typed used LF."""
    return text.replace("\r\n", "\n")


# --- Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def pair(author, peer, supervisor, team):
    """Maya and Sam already co-reflect (Rosa supervises their team)."""
    return PeerPair.objects.create(
        team=team,
        inviter=author,
        invitee=peer,
        status=PeerPair.Status.ACTIVE,
        responded=dt.datetime.now(dt.UTC),
    )


@pytest.fixture
def shared_entry(author, pair):
    entry = Entry.objects.create(
        author=author,
        task=Task.CONNECTION,
        title="The kettle conversation",
        body=BODY,
        week=current_week(author),
    )
    entry.pair, entry.shared = pair, entry.created
    entry.save()
    return entry


def note_on(entry, author, passage, body):
    """A passage note, anchored as the page script would anchor it."""
    text = rendered_text(entry.body_html)
    quote = quote_at(text, *locate(text, passage))
    return Annotation.objects.create(
        entry=entry,
        author=author,
        body=body,
        exact=quote.exact,
        prefix=quote.prefix,
        suffix=quote.suffix,
        start=quote.start,
        end=quote.end,
    )


# --- 1. Two peers: pair, write, share, annotate, reply, resolve ---------------------------------


def test_two_peers_pair_write_share_annotate_reply_and_resolve(
    page, new_person_context, login, author, peer, supervisor
):
    maya = login(page, author)
    sam = login(new_person_context().new_page(), peer)

    # Maya invites Sam to co-reflect.
    visit(maya, "/pairs/", "pairs")
    maya.get_by_label("Co-reflect with").select_option(label="Sam Lindqvist — Riverside Peer Respite")
    maya.get_by_label("A note with the invitation (optional)").fill("Shall we reflect together on Fridays?")
    maya.get_by_role("button", name="Send invitation").click()
    expect(messages(maya)).to_contain_text("Your invitation to co-reflect is with Sam Lindqvist")
    expect(maya.get_by_text("Waiting for an answer from: Sam Lindqvist")).to_be_visible()
    check_page(maya)

    # Sam accepts from his dashboard and lands in their new thread.
    visit(sam, "/", "dashboard-invitation")
    invitation = sam.get_by_role("region", name="Invitations to co-reflect")
    expect(invitation).to_contain_text(
        "Maya Okafor (Riverside Peer Respite) would like to co-reflect with you."
    )
    expect(invitation).to_contain_text("Shall we reflect together on Fridays?")
    invitation.get_by_role("button", name="Accept Maya Okafor").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Co-reflection with Maya Okafor")
    expect(messages(sam)).to_contain_text("You and Maya Okafor now co-reflect")
    check_page(sam, "thread-empty")
    pair = PeerPair.objects.get(inviter=author, invitee=peer)
    assert pair.status == PeerPair.Status.ACTIVE

    # Maya writes: the prompts panel follows the task she picks (by clicking its label).
    visit(maya, "/", "dashboard")
    maya.get_by_role("link", name="Write a reflection").first.click()
    expect(maya.get_by_role("heading", level=1)).to_have_text("Write a reflection")
    check_page(maya, "write-empty")
    prompts = {task: maya.locator(f'.prompts[data-task="{task}"]') for task in Task.values}
    for section in prompts.values():
        expect(section).to_be_visible()  # no task yet: all four, with an invitation to choose
    maya.locator("label.task-choice", has_text="Worldview").click()
    expect(maya.get_by_label("Worldview")).to_be_checked()
    expect(prompts["worldview"]).to_be_visible()
    expect(prompts["worldview"]).to_contain_text("What did I assume before they told me anything?")
    for task in ("connection", "mutuality", "moving_towards"):
        expect(prompts[task]).to_be_hidden()
    expect(maya.get_by_text("Choose a task to see its prompts.")).to_be_hidden()
    maya.locator("label.task-choice", has_text="Connection").click()
    expect(prompts["connection"]).to_be_visible()
    expect(prompts["connection"]).to_contain_text("When did I feel most connected this week")
    expect(prompts["worldview"]).to_be_hidden()

    maya.get_by_label("Title").fill("The kettle conversation")
    maya.get_by_label("Week it reflects on").select_option(week_before(author))
    maya.get_by_label("Your reflection").fill(BODY)
    # The preview is the server's rendering of her Markdown.
    maya.get_by_role("button", name="Preview").click()
    preview = maya.locator("#preview-body")
    expect(preview.locator("strong")).to_have_text("fix it")
    expect(preview.locator("blockquote")).to_contain_text("Nobody asks what I want to move towards.")
    check_page(maya, "write-preview")
    save_entry(maya)

    entry = Entry.objects.get(author=author)
    assert (entry.task, entry.title, entry.week.isoformat()) == (
        "connection",
        "The kettle conversation",
        week_before(author),
    )
    assert as_typed(entry.body) == BODY and entry.pair is None
    expect(maya).to_have_url(re.compile(rf"/entries/{entry.pk}/$"))
    expect(messages(maya)).to_contain_text("Only you can read this entry until you share it.")
    expect(who_can_read(maya)).to_contain_text("Only you can read this.")
    body = maya.locator("#entry-body")
    expect(body.locator("em")).to_have_text("didn't want")
    expect(body.locator("strong")).to_have_text("fix it")
    expect(body.locator("li")).to_have_count(2)
    check_page(maya, "entry-private")

    # She shares it into her thread with Sam: now Sam and Rosa can read it, by name.
    maya.get_by_label("Share into the thread with").select_option(label="Sam Lindqvist")
    maya.get_by_role("button", name="Share", exact=True).click()
    expect(messages(maya)).to_contain_text("Shared into your thread with Sam Lindqvist")
    expect(who_can_read(maya)).to_contain_text("Maya Okafor (you, peer), Sam Lindqvist (peer)")
    expect(who_can_read(maya)).to_contain_text("Rosa Delgado (supervisor of Riverside Peer Respite)")
    expect(who_can_read(maya)).not_to_contain_text("Only you")
    check_page(maya, "entry-shared")
    entry.refresh_from_db()
    assert entry.pair == pair

    # Sam sees something new in the thread and opens the entry.
    visit(sam, "/")
    expect(sam.get_by_role("link", name="With Maya Okafor")).to_be_visible()
    expect(sam.locator(".card", has_text="With Maya Okafor")).to_contain_text("1 new")
    sam.get_by_role("link", name="With Maya Okafor").click()
    card = sam.locator(".entry-card", has_text="The kettle conversation")
    expect(card.locator(".unread-dot")).to_have_text("New")
    expect(card).to_contain_text("No notes yet")
    check_page(sam, "thread-new-entry")
    card.get_by_role("link", name="The kettle conversation").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("The kettle conversation")
    expect(who_can_read(sam)).to_contain_text("Sam Lindqvist (you, peer)")
    check_page(sam, "entry-to-annotate")

    # He selects a passage with the mouse (across the <strong>) and annotates it.
    annotate = sam.get_by_role("button", name="Annotate selection")
    expect(annotate).to_be_disabled()
    drag_select(sam, PASSAGE)
    assert sam.evaluate("() => window.getSelection().toString()").strip() == PASSAGE
    expect(annotate).to_be_enabled()
    annotate.click()
    expect(sam.locator("#note-form-title")).to_have_text("Add a note on this passage")
    expect(sam.locator("#note-form-quote")).to_have_text(PASSAGE)
    expect(sam.get_by_label("Your note")).to_be_focused()
    sam.get_by_label("Your note").fill("That pull is so familiar. What did you do with it *in the moment*?")
    sam.get_by_label("Task (optional)").select_option(label="Mutuality")
    check_page(sam, "entry-note-form")
    sam.get_by_role("button", name="Save note").click()
    expect(messages(sam)).to_contain_text("Your note is saved beside the passage.")

    note = Annotation.objects.get(entry=entry)
    text = rendered_text(entry.body_html)
    assert (note.exact, note.task, note.orphaned) == (PASSAGE, "mutuality", False)
    assert text[note.start : note.end] == PASSAGE and text[: note.start].endswith(note.prefix)
    assert text[note.end :].startswith(note.suffix) and note.prefix and note.suffix
    expect(sam.locator("#entry-body mark.note-mark")).to_have_count(2)  # split by the <strong>
    assert marked_text(sam) == {str(note.pk): PASSAGE}
    expect(note_item(sam, note).locator(".note__quote")).to_have_text(PASSAGE)
    expect(note_item(sam, note).locator(".note__body em")).to_have_text("in the moment")
    check_page(sam, "entry-with-note")

    # Maya sees the new note (dashboard, thread, the note itself) and replies.
    visit(maya, "/")
    expect(maya.locator(".card", has_text="With Sam Lindqvist")).to_contain_text("1 new")
    maya.get_by_role("link", name="With Sam Lindqvist").click()
    card = maya.locator(".entry-card", has_text="The kettle conversation")
    expect(card).to_contain_text("1 note · 1 open")
    expect(card).to_contain_text("1 new note")
    check_page(maya, "thread-new-note")
    card.get_by_role("link", name="The kettle conversation").click()
    mine = note_item(maya, note)
    expect(mine).to_have_class(re.compile(r"\bis-unread\b"))
    expect(mine.locator(".unread-dot")).to_have_text("New")
    expect(mine.locator(".note__quote")).to_have_text(PASSAGE)
    assert marked_text(maya) == {str(note.pk): PASSAGE}
    check_page(maya, "entry-unread-note")
    mine.locator("summary", has_text="Reply").click()
    mine.get_by_label("Your reply to Sam Lindqvist").fill("I named it to myself and then **asked** instead.")
    mine.get_by_role("button", name="Send reply").click()
    expect(messages(maya)).to_contain_text("Your reply is added.")
    mine = note_item(maya, note)
    expect(mine.locator(".reply")).to_contain_text("Maya Okafor")
    expect(mine.locator(".reply strong", has_text="asked")).to_be_visible()
    expect(mine.locator(".unread-dot")).to_have_count(0)  # seen now
    check_page(maya)
    assert Reply.objects.get(annotation=note).author == author

    # Sam reads the reply and marks the note resolved.
    visit(sam, f"/entries/{entry.pk}/")
    his = note_item(sam, note)
    expect(his.locator(".reply")).to_contain_text("I named it to myself and then asked instead.")
    his.get_by_role("button", name="Mark resolved").click()
    expect(messages(sam)).to_contain_text("Marked as resolved.")
    his = note_item(sam, note)
    expect(his).to_have_class(re.compile(r"\bnote--resolved\b"))
    expect(his.locator(".badge")).to_have_text("Resolved")
    expect(his.get_by_role("button", name="Reopen")).to_be_visible()
    check_page(sam, "entry-note-resolved")
    note.refresh_from_db()
    assert note.resolved and note.resolved_by == peer


def test_a_keyboard_user_annotates_a_passage(page, login, peer, shared_entry):
    sam = login(page, peer)
    visit(sam, f"/entries/{shared_entry.pk}/")
    annotate = sam.get_by_role("button", name="Annotate selection")
    expect(annotate).to_be_disabled()

    # Keyboard only: Tab past the header (its search field would take a selection) to the last
    # link before the reflection.
    tab_to(sam, sam.get_by_role("link", name="Thread of Maya Okafor and Sam Lindqvist"))
    # Where the reading cursor is (caret browsing or a screen reader's browse mode puts the
    # selection there, leaving the link: the page cannot), the first character; Shift+→
    # extends it to the passage.
    passage = "Nobody asks what I want"
    sam.evaluate(
        """(text) => {
          document.activeElement.blur();
          const body = document.getElementById("entry-body");
          const node = [...body.querySelectorAll("blockquote p")].find((p) => p.textContent.includes(text)).firstChild;
          const at = node.data.indexOf(text);
          window.getSelection().setBaseAndExtent(node, at, node, at + 1);
        }""",
        passage,
    )
    for _ in passage[1:]:
        sam.keyboard.press("Shift+ArrowRight")
    assert sam.evaluate("() => window.getSelection().toString()") == passage
    expect(annotate).to_be_enabled()

    # The next Tab reaches the button (the selection stays); Enter presses it.
    sam.keyboard.press("Tab")
    expect(annotate).to_be_focused()
    assert sam.evaluate("() => window.getSelection().toString()") == passage
    sam.keyboard.press("Enter")
    note_field = sam.get_by_label("Your note")
    expect(note_field).to_be_focused()
    expect(sam.locator("#note-form-quote")).to_have_text(passage)
    sam.keyboard.type("Whose question is that, I wonder — hers or the service's?")
    check_page(sam, "entry-keyboard-note")
    # Tab to "Task (optional)", then to "Save note", and press it.
    sam.keyboard.press("Tab")
    expect(sam.get_by_label("Task (optional)")).to_be_focused()
    sam.keyboard.press("Tab")
    expect(sam.get_by_role("button", name="Save note")).to_be_focused()
    sam.keyboard.press("Enter")
    expect(messages(sam)).to_contain_text("Your note is saved beside the passage.")

    note = Annotation.objects.get(entry=shared_entry)
    assert (note.exact, note.author) == (passage, peer)
    assert marked_text(sam) == {str(note.pk): passage}
    expect(note_item(sam, note).locator(".note__quote")).to_have_text(passage)
    check_page(sam)


# --- 2. Re-anchoring ----------------------------------------------------------------------------


def test_a_note_follows_its_passage_through_an_edit_and_is_orphaned_when_it_goes(
    page, new_person_context, login, author, peer, shared_entry
):
    note = note_on(shared_entry, peer, "I stayed with the silence", "How long did the silence feel?")
    maya = login(page, author)
    visit(maya, f"/entries/{shared_entry.pk}/")
    assert marked_text(maya) == {str(note.pk): "I stayed with the silence"}
    old_start = note.start

    # She adds a paragraph before it: the passage moves and the highlight follows.
    maya.get_by_role("link", name="Edit").click()
    check_page(maya, "edit")
    field = maya.get_by_label("Your reflection")
    field.fill("I nearly didn't write this one up.\n\n" + field.input_value())
    save_entry(maya)
    expect(messages(maya)).to_contain_text("Saved. The earlier version is kept")
    note.refresh_from_db()
    assert not note.orphaned and note.start > old_start
    assert rendered_text(Entry.objects.get().body_html)[note.start : note.end] == "I stayed with the silence"
    assert marked_text(maya) == {str(note.pk): "I stayed with the silence"}
    expect(note_item(maya, note).locator(".note__quote")).to_have_text("I stayed with the silence")
    check_page(maya, "entry-reanchored")

    # Sam sees the same.
    sam = login(new_person_context().new_page(), peer)
    visit(sam, f"/entries/{shared_entry.pk}/")
    assert marked_text(sam) == {str(note.pk): "I stayed with the silence"}

    # She rewrites that line: the note is orphaned, shown with its quote, highlighting nothing.
    visit(maya, f"/entries/{shared_entry.pk}/edit/")
    field = maya.get_by_label("Your reflection")
    field.fill(
        field.input_value().replace("I stayed with the silence for a while", "I waited, and so did she")
    )
    save_entry(maya)
    note.refresh_from_db()
    assert note.orphaned and note.exact == "I stayed with the silence"
    expect(maya.locator("#entry-body mark")).to_have_count(0)
    orphan = note_item(maya, note)
    expect(orphan).to_have_class(re.compile(r"\bnote--orphaned\b"))
    expect(orphan).to_contain_text("The passage this note was on has changed. It was on:")
    expect(orphan.locator(".note__quote")).to_have_text("I stayed with the silence")
    expect(orphan.locator(".note__jump")).to_have_count(0)
    check_page(maya, "entry-orphaned")
    visit(sam, f"/entries/{shared_entry.pk}/")
    expect(sam.locator("#entry-body mark")).to_have_count(0)
    expect(note_item(sam, note)).to_contain_text("It was on:")


# --- 3. Saving after the session expired --------------------------------------------------------

TYPED = (
    "Session ran out while I was writing — this must not be lost.\n\n"
    "Ünïcödé, <angle brackets>, & ampersands, \"quotes\" and 'apostrophes'.\n"
    "  Indented line, trailing spaces kept inside.   \n"
    "Last line."
)


def expire_session_and_save(page):
    """She has typed all of TYPED but its last character. Her session ends on the server
    (idle timeout, signed out elsewhere…); she types on, the autosave notices and says so; she
    presses Save and is asked to sign in again."""
    Session.objects.all().delete()
    field = page.get_by_label("Your reflection")
    field.press("Control+End")
    field.press_sequentially(TYPED[-1])
    expect(field).to_have_value(TYPED)
    expect(page.locator("#autosave-status")).to_contain_text("You seem to be signed out", timeout=8_000)
    path = page.evaluate("() => location.pathname")
    save_entry(page)
    expect(page).to_have_url(re.compile(rf"/accounts/login/\?next={re.escape(path)}%3Fresume%3D1$"))
    check_page(page, "login-after-expiry")


def sign_in_here(page, user):
    """Sign in on the sign-in page she was sent to (it carries where she was going)."""
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_text_typed_when_the_session_expired_is_saved_after_signing_in_again(page, login, author):
    maya = login(page, author)
    visit(maya, "/entries/new/")
    maya.locator("label.task-choice", has_text="Mutuality").click()
    maya.get_by_label("Title").fill("Written across a sign-in")
    maya.get_by_label("Your reflection").fill(TYPED[:-1])
    expire_session_and_save(maya)
    assert not Entry.objects.exists()

    # Signing in again completes the save she asked for, with exactly what she typed.
    sign_in_here(maya, author)
    entry = Entry.objects.get()
    expect(maya).to_have_url(re.compile(rf"/entries/{entry.pk}/$"))
    expect(messages(maya)).to_contain_text("Saved. Only you can read this entry")
    assert (entry.author, entry.task, entry.title) == (author, "mutuality", "Written across a sign-in")
    assert as_typed(entry.body) == TYPED
    expect(maya.locator("#entry-body")).to_contain_text("Ünïcödé, <angle brackets>, & ampersands")
    # The copy kept on this device is dropped once the server has it.
    assert maya.evaluate("() => localStorage.getItem('ips-journal:writing:/entries/new/')") is None
    check_page(maya, "entry-saved-after-sign-in")


def test_an_unfinished_form_comes_back_after_signing_in_to_check_and_save(page, login, author):
    maya = login(page, author)
    visit(maya, "/entries/new/")
    maya.get_by_label("Your reflection").fill(TYPED[:-1])  # no task chosen yet
    expire_session_and_save(maya)

    sign_in_here(maya, author)
    expect(maya).to_have_url(re.compile(r"/entries/new/\?resume=1$"))
    expect(messages(maya)).to_contain_text("You were signed out before your text was saved.")
    expect(maya.get_by_role("group", name="Which task is this about?")).to_contain_text(
        "Choose one of the four tasks."
    )
    expect(maya.get_by_label("Your reflection")).to_have_value(TYPED)
    check_page(maya, "write-resumed")
    assert not Entry.objects.exists()

    maya.locator("label.task-choice", has_text="Moving Towards").click()
    save_entry(maya)
    entry = Entry.objects.get()
    expect(maya).to_have_url(re.compile(rf"/entries/{entry.pk}/$"))
    assert (entry.task, as_typed(entry.body)) == ("moving_towards", TYPED)
    check_page(maya)


def test_an_edit_made_when_the_session_expired_is_applied_after_signing_in(page, login, author):
    entry = Entry.objects.create(
        author=author,
        task=Task.CONNECTION,
        title="Kettle",
        body="Before the edit.",
        week=current_week(author),
    )
    maya = login(page, author)
    visit(maya, f"/entries/{entry.pk}/edit/")
    maya.get_by_label("Your reflection").fill(TYPED[:-1])
    expire_session_and_save(maya)
    entry.refresh_from_db()
    assert (entry.body, entry.version) == ("Before the edit.", 1)

    sign_in_here(maya, author)
    expect(maya).to_have_url(re.compile(rf"/entries/{entry.pk}/$"))
    expect(messages(maya)).to_contain_text("Saved. The earlier version is kept")
    entry.refresh_from_db()
    assert (as_typed(entry.body), entry.version) == (TYPED, 2)
    assert entry.revisions.get().body == "Before the edit."
    check_page(maya)


# --- 4. Two tabs ------------------------------------------------------------------------------


def test_two_tabs_editing_one_entry_show_both_texts_and_lose_nothing(context, login, author):
    entry = Entry.objects.create(
        author=author,
        task=Task.WORLDVIEW,
        title="Whose words?",
        body="First draft.",
        week=current_week(author),
    )
    first = login(context.new_page(), author)
    second = context.new_page()
    visit(first, f"/entries/{entry.pk}/edit/")
    visit(second, f"/entries/{entry.pk}/edit/")

    first.get_by_label("Your reflection").fill("Written in the first tab.")
    save_entry(first)
    expect(messages(first)).to_contain_text("Saved.")
    entry.refresh_from_db()
    assert (entry.body, entry.version) == ("Written in the first tab.", 2)

    mine = "Written in the second tab,\nwhich had the old copy."
    second.get_by_label("Your reflection").fill(mine)
    save_entry(second)
    conflict = second.get_by_role("region", name="This entry changed while you were writing")
    expect(conflict).to_be_visible()
    expect(conflict.locator(".conflict__saved")).to_have_text("Written in the first tab.")
    expect(conflict.locator(".conflict__mine")).to_have_text(mine)
    expect(second.get_by_label("Your reflection")).to_have_value(mine)
    forgive_status(second, 409)
    check_page(second, "edit-conflict")
    # Nothing overwritten until she chooses.
    entry.refresh_from_db()
    assert (entry.body, entry.version) == ("Written in the first tab.", 2)

    second.get_by_role("button", name="Save my text as the newest version").click()
    second.wait_for_load_state()
    expect(second).to_have_url(re.compile(rf"/entries/{entry.pk}/$"))
    expect(second.locator("#entry-body")).to_contain_text("which had the old copy.")
    entry.refresh_from_db()
    assert (as_typed(entry.body), entry.version) == (mine, 3)
    assert list(Revision.objects.filter(entry=entry).values_list("version", "body")) == [
        (2, "Written in the first tab."),
        (1, "First draft."),
    ]
    check_page(second)
    second.get_by_role("link", name="Earlier versions").click()
    history = second.get_by_role("region", name=re.compile(r"^Version 2"))
    expect(history).to_contain_text("Written in the first tab.")
    expect(second.get_by_role("region", name=re.compile(r"^Version 1"))).to_contain_text("First draft.")
    check_page(second, "history")


# --- 5. Drafts ----------------------------------------------------------------------------------


def test_an_autosaved_draft_survives_a_reload_and_waits_on_the_dashboard(
    page, new_person_context, login, author
):
    text = "Half a thought about the handover meeting,\nand the word *resistant*."
    maya = login(page, author)
    visit(maya, "/entries/new/")
    maya.locator("label.task-choice", has_text="Worldview").click()
    maya.get_by_label("Title").fill("Handover words")
    maya.get_by_label("Your reflection").fill(text)
    # Autosave runs 3 seconds after typing stops.
    expect(maya.locator("#autosave-status")).to_contain_text("Draft saved at", timeout=8_000)
    draft = Draft.objects.get(author=author)
    assert (draft.task, draft.title, as_typed(draft.body), draft.entry) == (
        "worldview",
        "Handover words",
        text,
        None,
    )

    maya.reload()
    expect(maya.get_by_label("Your reflection")).to_have_value(text)
    expect(maya.get_by_label("Title")).to_have_value("Handover words")
    expect(maya.get_by_label("Worldview")).to_be_checked()
    expect(maya.locator('.prompts[data-task="connection"]')).to_be_hidden()
    expect(maya.locator("#autosave-status")).to_contain_text(
        "Your unsaved writing from this device is restored"
    )
    check_page(maya, "write-restored")

    # On another device (no local copy) the server's draft waits under "Unfinished writing".
    other = login(new_person_context().new_page(), author)
    visit(other, "/", "dashboard-draft")
    unfinished = other.get_by_role("region", name="Unfinished writing")
    unfinished.get_by_role("link", name="Handover words").click()
    expect(other.get_by_label("Your reflection")).to_have_value(text)
    expect(other.get_by_label("Worldview")).to_be_checked()
    check_page(other)
    save_entry(other)
    entry = Entry.objects.get()
    assert as_typed(entry.body) == text and entry.title == "Handover words"
    assert not Draft.objects.exists()  # saving the entry retires its draft


# --- 6. Laptop and phone ------------------------------------------------------------------------


@pytest.fixture
def lived_in_thread(author, peer, pair, shared_entry):
    """A thread that looks used: both peers' writing, notes, a reply, a resolved and an orphaned note."""
    this_week = current_week(author)
    sams = Entry.objects.create(
        author=peer,
        task=Task.MOVING_TOWARDS,
        title="Towards, not away",
        body=(
            "Most of our talk this week was about what T. wants to stop: the late nights, the arguments "
            "with his brother.\n\nNear the end I asked what he'd like more of. He said *mornings* — he "
            "used to love early walks by the river."
        ),
        week=this_week,
        pair=pair,
        shared=dt.datetime.now(dt.UTC),
    )
    Entry.objects.create(
        author=author,
        task=Task.MUTUALITY,
        title="Learning from J.",
        body="J. showed me how she plans her week around the bus timetable.\n\nI told her I'd learned something.",
        week=this_week - dt.timedelta(weeks=1),
        pair=pair,
        shared=dt.datetime.now(dt.UTC),
    )
    first = note_on(
        shared_entry, peer, PASSAGE, "That pull is so familiar. What did you do with it *in the moment*?"
    )
    Reply.objects.create(
        annotation=first, author=author, body="I named it to myself and then **asked** instead."
    )
    resolved = note_on(
        shared_entry, peer, "Nobody asks what I want to move towards.", "This line stayed with me."
    )
    resolved.resolved, resolved.resolved_by = dt.datetime.now(dt.UTC), author
    resolved.save()
    Annotation.objects.create(
        entry=shared_entry, author=peer, body="Did the plan come up again later?", task=Task.MOVING_TOWARDS
    )
    Annotation.objects.create(
        entry=shared_entry,
        author=author,
        body="I rewrote this bit; the note stays with its quote.",
        exact="I offered the leaflet",
        orphaned=True,
    )
    note_on(sams, author, "He said mornings", "Yes — towards, not away.")
    return shared_entry


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_pages_hold_up_on_a_laptop_and_a_phone(request, size, login, author, pair, lived_in_thread):
    page = login(request.getfixturevalue("page" if size == "laptop" else "phone_page"), author)
    visit(page, "/", f"dashboard-{size}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This week, Maya Okafor")
    visit(page, f"/threads/{pair.pk}/", f"thread-{size}")
    expect(page.locator(".entry-card")).to_have_count(3)
    visit(page, f"/entries/{lived_in_thread.pk}/", f"entry-with-notes-{size}")
    expect(page.locator(".note")).to_have_count(4)
    # Notes sit in the margin on a laptop, below the reflection on a phone.
    body = page.locator("#entry-body").bounding_box()
    notes = page.locator(".notes").bounding_box()
    if size == "laptop":
        assert notes["x"] >= body["x"] + body["width"], (body, notes)
    else:
        assert notes["y"] >= body["y"] + body["height"], (body, notes)
    assert set(marked_text(page).values()) == {PASSAGE, "Nobody asks what I want to move towards."}
    visit(page, "/entries/new/?task=connection")
    page.get_by_label("Title").fill("After the house meeting")
    page.get_by_label("Your reflection").fill(BODY)
    check_page(page, f"write-{size}")
    # Nothing sticks out sideways (a phone would scroll horizontally).
    for path in ("/", f"/threads/{pair.pk}/", f"/entries/{lived_in_thread.pk}/", "/entries/new/"):
        page.goto(path)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the {size} viewport"
    screenshot(page, f"write-empty-{size}")
