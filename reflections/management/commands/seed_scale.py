# SQL here is built from this module's own constants (table names, fixed expressions), never input:
# ruff: noqa: S608
"""Realistic data at scale for benchmarks: the plan (who is in which team and pair) and the text pool.

`python manage.py seed_scale` streams rows from here into PostgreSQL with COPY. The plan is pure and
deterministic (same arguments, same data), so tests can check its proportions without a database.
"""

import datetime as dt
import json
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Role, Team, User
from reflections.anchoring import quote_at, rendered_text
from reflections.models import Annotation, Draft, Entry, EntryView, PeerPair, Reply, Revision, Task
from reflections.rendering import render_markdown
from search.index import CONFIG as SEARCH_CONFIG
from search.models import Document
from supervision.models import ReadRecord, ReviewNote, ReviewReply, WeekReview

# Teams of this many pairs are the benchmark's "supervisor's team page with 30 pairs".
LARGE_TEAM_PAIRS = 30
SUPERVISORS_PER_TEAM = 2
# Every FEATURED_EVERY-th shared entry of a pair carries exactly FEATURED_NOTES notes: the
# benchmark's "entry with 20 annotations".
FEATURED_EVERY = 40
FEATURED_NOTES = 20
SHARED_FRACTION = 0.7

PRESETS = {
    # 1/40 of full, with the same history per pair (three years), so pages cost the same.
    "small": {"teams": 5, "users": 250, "pairs": 125, "entries": 25_000, "annotations": 75_000, "years": 3},
    "full": {
        "teams": 200,
        "users": 10_000,
        "pairs": 5_000,
        "entries": 1_000_000,
        "annotations": 3_000_000,
        "years": 3,
    },
    # For the fault drill: seconds to seed.
    "tiny": {"teams": 2, "users": 40, "pairs": 16, "entries": 2_000, "annotations": 4_000, "years": 1},
}


@dataclass
class TeamPlan:
    index: int
    pairs: int
    peers: int
    supervisors: int = SUPERVISORS_PER_TEAM
    pair_members: list = field(default_factory=list)  # (peer index a, peer index b) within the team


def plan_teams(teams, users, pairs):
    """Split people and pairs over teams. A fifth of the teams (at least three, when there are
    pairs enough) hold LARGE_TEAM_PAIRS pairs; the rest share what is left. Peers are spread in
    proportion to pairs; pairs are disjoint first, then chained (a peer in two pairs) when a team
    has more pairs than half its peers."""
    if teams < 1 or pairs < 1:
        raise ValueError("need at least one team and one pair")
    peers_total = users - teams * SUPERVISORS_PER_TEAM
    if peers_total < 2 * teams:
        raise ValueError("too few users for the teams: each team needs two supervisors and two peers")
    large = min(max(3, teams // 5), teams, pairs // LARGE_TEAM_PAIRS)
    rest_teams = teams - large
    rest_pairs = pairs - large * LARGE_TEAM_PAIRS
    if rest_teams == 0:
        large_pairs = [pairs // teams + (1 if i < pairs % teams else 0) for i in range(teams)]
        counts = large_pairs
    else:
        if rest_pairs < rest_teams:
            large, rest_teams, rest_pairs = 0, teams, pairs
        counts = [LARGE_TEAM_PAIRS] * large + [
            rest_pairs // rest_teams + (1 if i < rest_pairs % rest_teams else 0) for i in range(rest_teams)
        ]
    plans, given = [], 0
    for i, count in enumerate(counts):
        share = round(peers_total * count / pairs) if i < teams - 1 else peers_total - given
        peers = max(2, share)
        peers = max(peers, min(count + 1, peers_total - given - 2 * (teams - i - 1)))
        given += peers
        plan = TeamPlan(index=i, pairs=count, peers=peers)
        plan.pair_members = pair_up(peers, count)
        plans.append(plan)
    return plans


def pair_up(peers, pairs):
    """`pairs` distinct pairs among `peers` people: (0,1), (2,3), … then (1,2), (3,4), …"""
    result = [(2 * k, 2 * k + 1) for k in range(min(pairs, peers // 2))]
    k = 0
    while len(result) < pairs:
        a, b = (2 * k + 1) % peers, (2 * k + 2) % peers
        if a != b and (a, b) not in result and (b, a) not in result:
            result.append((a, b))
        k += 1
        if k > 4 * peers:
            raise ValueError(f"cannot form {pairs} pairs from {peers} peers")
    return result


def draw(rng, mean):
    """A whole number with the given mean (floor, plus one with the fraction's probability)."""
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


# --- text ----------------------------------------------------------------------------------------
# Our own words, in the spirit of the four tasks; combined into many different reflections.
OPENINGS = [
    "This week I",
    "Today I",
    "On Tuesday I",
    "After our call I",
    "In the house meeting I",
    "Walking home I",
    "During the check-in I",
    "Late on Friday I",
    "With a new guest I",
    "Over tea with a colleague I",
]
MIDDLES = [
    "noticed how quickly I wanted to fix things for her",
    "caught myself assuming I knew what he meant",
    "stayed with the silence a little longer than usual",
    "asked what the day had been like instead of giving advice",
    "felt the pull to take charge and named it out loud",
    "heard a story about the hospital that changed how I saw the rules here",
    "shared something of my own week and the conversation opened up",
    "wondered whose idea of safety we were following",
    "realised we had both been waiting for the other to lead",
    "said no to a request and we talked about why",
    "noticed that my worry was about my own comfort",
    "asked how we could move towards what she wants, not what I want for her",
]
CLOSINGS = [
    "I want to stay curious about that.",
    "It reminded me why mutuality matters.",
    "Next time I would ask one more question before answering.",
    "That felt like connection rather than support.",
    "I am still thinking about what I brought into the room.",
    "We ended with a plan that was ours, not mine.",
    "It was uncomfortable, and it was honest.",
    "I would like to hear how it looked from the other side.",
]
FEELINGS = (
    "open tired hopeful curious unsettled grateful stuck steady restless calm heavy light "
    "honest guarded warm distant brave unsure patient hurried tender raw clear foggy "
    "connected lonely proud humbled playful serious moved angry relieved anxious rested "
    "stretched seen heard quiet loud gentle sharp slow quick careful generous stubborn "
    "soft grounded scattered focused"
).split()
NOTE_TEXTS = [
    "This landed with me. What did you notice in yourself right then?",
    "I had a similar moment last week — can we talk about it on Thursday?",
    "I wonder what would have happened if you had waited a bit longer.",
    "Thank you for writing this so honestly.",
    "How did it feel to name it out loud?",
    "Whose worldview shaped the rule here, do you think?",
    "I read this as moving towards, not away from. Does that fit?",
    "This is where I get stuck too.",
]
REPLY_TEXTS = [
    "Yes — let's pick this up when we meet.",
    "Good question. I think it was mine, honestly.",
    "It felt strange at first, then lighter.",
]
REVIEW_TEXTS = [
    "You both kept coming back to the question of safety this week — worth a conversation together.",
    "I noticed a lot of mutuality in how you wrote to each other. What helped?",
    "A week of hard moments, written about with care. How are you both doing?",
]


@dataclass(frozen=True)
class Body:
    body: str
    html: str
    quotes: tuple  # anchoring.Quote candidates, all inside the text's first two thirds


def _paragraph(rng):
    sentences = [f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)}. {rng.choice(CLOSINGS)}"]
    for _ in range(rng.randint(1, 3)):
        sentences.append(f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)}.")
    return " ".join(sentences)


def _quotes(text, rng, count=12):
    starts = [m.start() for m in re.finditer(r"\b\w", text[: max(1, len(text) * 2 // 3)])]
    quotes = []
    for _ in range(count * 3):
        if len(quotes) == count or not starts:
            break
        start = rng.choice(starts)
        end = min(len(text) - 40, start + rng.randint(20, 70))
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
        if end - start < 8:
            continue
        quote = quote_at(text, start, end)
        # Unambiguous: the quote with its context occurs once, so a re-anchor finds it again.
        if quote and text.count(quote.prefix + quote.exact + quote.suffix) == 1:
            quotes.append(quote)
    return tuple(quotes)


def text_pool(size=300, seed=7):
    """Reflection bodies (Markdown, its rendered HTML, and passages to annotate), rendered once by
    the app's own renderer."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    pool = []
    for n in range(size):
        paragraphs = [_paragraph(rng) for _ in range(rng.randint(2, 4))]
        if n % 5 == 1:
            paragraphs.insert(1, f"> {rng.choice(CLOSINGS)}")
        if n % 7 == 2:
            paragraphs.append("\n".join(f"- *{word}*" for word in rng.sample(FEELINGS, 3)))
        body = "\n\n".join(paragraphs)
        html = render_markdown(body)
        pool.append(Body(body, html, _quotes(rendered_text(html), rng)))
    return pool


class Tails:
    """A short, varied last line for each entry ("Three words for this week: …"), so no two
    entries read alike (search indexes see many different words). The line's HTML is the
    renderer's own output for a plain paragraph; `joinable` says whether appending it to a pooled
    body's HTML equals rendering the whole body (checked against the real renderer)."""

    def __init__(self, pool):
        probe_a, probe_b = "alphaword", "betaword"
        whole = render_markdown(f"{probe_a}\n\n{probe_b}")
        alone = render_markdown(probe_b)
        first = render_markdown(probe_a)
        self.joinable = whole.startswith(first) and whole.endswith(alone)
        self.sep = whole[len(first) : len(whole) - len(alone)] if self.joinable else ""
        self.wrap = alone.split(probe_b) if self.joinable else None
        if self.joinable:
            sample = pool[0]
            tail = self.line(["open", "tired", "hopeful"])
            self.joinable = render_markdown(f"{sample.body}\n\n{tail}") == self.html(sample.html, tail)

    @staticmethod
    def line(words):
        return f"Three words for this week: {', '.join(words)}."

    def html(self, body_html, tail):
        return f"{body_html}{self.sep}{self.wrap[0]}{tail}{self.wrap[1]}"


# --- COPY ------------------------------------------------------------------------------------------
def copy_text(value):
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


class Copier:
    """Streams rows into one table with COPY … FROM STDIN (text format). `fields` are the model
    fields the caller fills, in order; every other column gets its model default, so a field a
    colleague adds with a default does not break the seed."""

    FLUSH = 4000

    def __init__(self, cursor, model, fields, now):
        quote = connection.ops.quote_name
        opts = model._meta
        filled = [opts.get_field(name) for name in fields]
        rest = [f for f in opts.concrete_fields if f.name not in fields]
        constants = []
        for f in rest:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default() or f.null or f.empty_strings_allowed:
                value = f.get_default()  # the default, else None (nullable) or "" (text)
            else:
                raise CommandError(f"{opts.label}.{f.name} has no default: seed_scale must fill it")
            constants.append(copy_text(value))
        self.suffix = "".join("\t" + c for c in constants) + "\n"
        columns = ", ".join(quote(f.column) for f in filled + rest)
        self.sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN WITH (FREEZE)"
        self.cursor, self.model, self.rows, self.buffer = cursor, model, 0, []

    def __enter__(self):
        self._context = self.cursor.copy(self.sql)
        self._copy = self._context.__enter__()
        return self

    def row(self, line):
        """`line`: the filled columns, already in COPY text, joined by tabs."""
        self.buffer.append(line + self.suffix)
        if len(self.buffer) >= self.FLUSH:
            self._copy.write("".join(self.buffer))
            self.buffer.clear()
        self.rows += 1

    def __exit__(self, *exc):
        if self.buffer and exc[0] is None:
            self._copy.write("".join(self.buffer))
        return self._context.__exit__(*exc)


class Clock:
    """Timestamps as epoch seconds, written as COPY text without building datetimes (the seed
    writes millions of them)."""

    def __init__(self):
        self.days = {}
        self.times = [f" {h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]

    def text(self, ts):
        day, second = divmod(int(ts), 86400)
        date = self.days.get(day)
        if date is None:
            date = self.days[day] = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()
        return date + self.times[second]


FIRST_NAMES = (
    "Maya Sam Jordan Priya Rosa Tom Leah Kwame Ines Ada Noor Felix Hana Omar Lena Theo Zara Ivan Mei "
    "Ruth Ben Aiko Luca Nia Pavel Sofia Kai Amara Emil Yusuf Clara Rafael Elif Jonas Wren Tariq"
).split()
LAST_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWYZ"
TIME_ZONES = ["Europe/London"] * 6 + [
    "Europe/Dublin",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
]
TITLES = [
    "A quiet morning",
    "The phone call",
    "House meeting",
    "What safety means",
    "Saying no",
    "Walking together",
    "After the shift",
]


class Command(BaseCommand):
    help = (
        "Fill PostgreSQL with realistic data at scale (teams, people, pairs, years of entries, notes, "
        "reviews) using COPY. Refuses a database that already has people, unless --flush."
    )

    def add_arguments(self, parser):
        parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
        for name in ["teams", "users", "pairs", "entries", "annotations", "years"]:
            parser.add_argument(f"--{name}", type=int, help=f"override the preset's {name}")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
        parser.add_argument(
            "--flush", action="store_true", help="TRUNCATE … CASCADE the app's tables first (destroys data)"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale uses COPY: point DATABASE_URL at PostgreSQL.")
        params = dict(PRESETS[options["preset"]])
        for key in params:
            if options.get(key) is not None:
                params[key] = options[key]
        if User.objects.exists() and not options["flush"]:
            raise CommandError("The database already has people. Use --flush to replace everything.")
        started = time.monotonic()
        self.stdout.write(f"seed_scale: {', '.join(f'{k}={v:,}' for k, v in params.items())}")
        self.started = started
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            tables = [m._meta.db_table for m in MODELS]
            saved = self.drop_indexes(cursor, tables)
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            rng = random.Random(options["seed"])  # noqa: S311 - sample data, not secrets
            counts = self.generate(cursor, rng, **params)
            # Pairs loaded by COPY would all have version 0, and TRUNCATE ... RESTART IDENTITY
            # reuses their ids: a cache still warm from an earlier data set would then serve its
            # fragments (reflections.fragments). A random version each, as the app gives them.
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(PeerPair._meta.db_table)} "  # noqa: S608
                "SET thread_version = floor(random() * 4611686018427387904)::bigint"
            )
            self.progress("rows written; building indexes and constraints")
            self.restore_indexes(cursor, saved)
            for model in MODELS:
                table = model._meta.db_table
                top = f"SELECT COALESCE(MAX(id), 0) + 1 FROM {connection.ops.quote_name(table)}"  # noqa: S608
                cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}), false)", [table])
        self.progress("committed; building the search index")
        documents = fill_search_index()
        counts["search documents"] = documents
        self.progress(f"{documents:,} search documents; analysing")
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {quoted}, {Document._meta.db_table}")
        took = time.monotonic() - started
        summary = ", ".join(f"{label} {n:,}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"seed_scale: done in {took:.1f} s: {summary}"))

    def progress(self, message):
        self.stdout.write(f"  {time.monotonic() - self.started:6.1f} s  {message}")
        self.stdout.flush()

    # Loading into a table without its secondary indexes and constraints, then building them
    # once, is several times faster than maintaining them row by row (and FK checks per row).
    @staticmethod
    def drop_indexes(cursor, tables):
        cursor.execute(
            """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
               FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype <> 'p'""",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition, _kind in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        return constraints, indexes

    @staticmethod
    def restore_indexes(cursor, saved):
        constraints, indexes = saved
        for _name, definition in indexes:
            cursor.execute(definition)
        # Unique and check constraints before foreign keys (which may rely on unique indexes).
        for table, name, definition, _kind in sorted(constraints, key=lambda c: c[3] == "f"):
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )

    def generate(self, cursor, rng, teams, users, pairs, entries, annotations, years):  # noqa: C901
        now = timezone.now()
        now_ts = int(now.timestamp())
        clock = Clock()
        ts = clock.text
        weeks = 52 * years
        this_monday = now.date() - dt.timedelta(days=now.date().weekday())
        mondays = [this_monday - dt.timedelta(weeks=weeks - 1 - w) for w in range(weeks)]
        monday_ts = [int(dt.datetime.combine(m, dt.time(), dt.UTC).timestamp()) for m in mondays]
        monday_text = [m.isoformat() for m in mondays]
        start_ts = monday_ts[0] - 30 * 86400
        esc = copy_text
        counts = {}

        plans = plan_teams(teams, users, pairs)
        pool = text_pool()
        tails = Tails(pool)
        pool_body = [esc(b.body) for b in pool]
        pool_html = [esc(b.html) for b in pool]
        notes = [(esc(t), esc(render_markdown(t))) for t in NOTE_TEXTS]
        replies = [(esc(t), esc(render_markdown(t))) for t in REPLY_TEXTS]
        reviews = [(esc(t), esc(render_markdown(t))) for t in REVIEW_TEXTS]
        tasks = list(Task.values)
        self.progress(f"text pool of {len(pool)} bodies; per-entry last line joinable: {tails.joinable}")

        # People, teams, memberships, pairs ------------------------------------------------------
        team_pairs = []  # (pair id, team index, inviter id, invitee id, supervisor id)
        peer_ids = []
        with Copier(cursor, Team, ["id", "name", "organisation", "created"], now) as team_rows:
            for plan in plans:
                team_rows.row(
                    f"{plan.index + 1}\tTeam {plan.index + 1:03d}\tScale Collective {plan.index // 10 + 1}\t"
                    f"{ts(start_ts)}"
                )
        user_fields = ["id", "password", "is_superuser", "is_staff", "is_active", "date_joined", "email"]
        user_fields += ["display_name", "time_zone"]
        people = []  # (user id, team index, role)
        user_id = 0
        for plan in plans:
            plan.supervisor_ids = []
            plan.peer_ids = []
            for _ in range(plan.supervisors):
                user_id += 1
                plan.supervisor_ids.append(user_id)
                people.append((user_id, plan.index, Role.SUPERVISOR))
            for _ in range(plan.peers):
                user_id += 1
                plan.peer_ids.append(user_id)
                peer_ids.append(user_id)
                people.append((user_id, plan.index, Role.PEER))
        with Copier(cursor, User, user_fields, now) as user_rows:
            for uid, _team, _role in people:
                name = f"{FIRST_NAMES[uid % len(FIRST_NAMES)]} {LAST_NAMES[(uid // len(FIRST_NAMES)) % 25]}."
                user_rows.row(
                    f"{uid}\t!seed-scale\tf\tf\tt\t{ts(start_ts)}\tperson{uid}@scale.example.org\t{name}\t"
                    f"{TIME_ZONES[uid % len(TIME_ZONES)]}"
                )
        with Copier(cursor, EmailAddress, ["id", "user", "email", "verified", "primary"], now) as rows:
            for uid, _team, _role in people:
                rows.row(f"{uid}\t{uid}\tperson{uid}@scale.example.org\tt\tt")
        with Copier(cursor, Membership, ["id", "user", "team", "role", "created"], now) as rows:
            for n, (uid, team, role) in enumerate(people, 1):
                rows.row(f"{n}\t{uid}\t{team + 1}\t{role}\t{ts(start_ts)}")
        pair_fields = ["id", "team", "inviter", "invitee", "status", "created", "responded"]
        with Copier(cursor, PeerPair, pair_fields, now) as rows:
            for plan in plans:
                for a, b in plan.pair_members:
                    pid = len(team_pairs) + 1
                    inviter, invitee = plan.peer_ids[a], plan.peer_ids[b]
                    team_pairs.append((pid, plan.index, inviter, invitee, plan.supervisor_ids[0]))
                    rows.row(
                        f"{pid}\t{plan.index + 1}\t{inviter}\t{invitee}\tactive\t{ts(start_ts)}\t"
                        f"{ts(start_ts + 3600)}"
                    )
        counts.update(teams=len(plans), users=len(people), pairs=len(team_pairs))
        self.progress(f"{len(people):,} people in {len(plans)} teams, {len(team_pairs):,} pairs")

        # Entries, week by week across all pairs (ids grow with time, as in real use) ------------
        shared_per_slot = SHARED_FRACTION * entries / (2 * len(team_pairs) * weeks)
        private_per_slot = (1 - SHARED_FRACTION) * entries / (len(peer_ids) * weeks)
        shared = []  # (entry id, pair index, week index, author, other, pool index, created ts, featured)
        revisions, pair_weeks = [], []
        pair_counter = [0] * len(team_pairs)
        entry_fields = ["id", "author", "task", "title", "body", "body_html", "week", "pair", "shared"]
        entry_fields += ["version", "created", "updated"]
        entry_id = 0
        words = FEELINGS
        random_ = rng.random
        pool_size = len(pool)
        if tails.joinable:
            tail_html = esc(f"{tails.sep}{tails.wrap[0]}Three words for this week: ")
            tail_end = esc(tails.wrap[1])
        with Copier(cursor, Entry, entry_fields, now) as rows:

            def entry(author, week_index, pair_index, other):
                nonlocal entry_id
                entry_id += 1
                # random() scaled, not randrange(): several times faster, and this runs 1M times.
                created = monday_ts[week_index] + int(random_() * 604800)
                if created > now_ts:
                    created = max(monday_ts[week_index], now_ts - 60 - int(random_() * 7200))
                p = int(random_() * pool_size)
                body, html = pool_body[p], pool_html[p]
                if tails.joinable:
                    tail = (
                        f"{words[int(random_() * 48)]}, {words[int(random_() * 48)]}, {words[entry_id % 48]}."
                    )
                    body = f"{body}\\n\\nThree words for this week: {tail}"
                    html = f"{html}{tail_html}{tail}{tail_end}"
                title = TITLES[entry_id % len(TITLES)] if entry_id % 5 < 2 else ""
                task = tasks[entry_id % 4]
                version = 1
                if random_() < 0.03:
                    version = 2
                    revisions.append((entry_id, task, title, (p + 1) % pool_size, created))
                if pair_index is None:
                    pair_text = shared_text = r"\N"
                else:
                    pid = team_pairs[pair_index][0]
                    pair_text, shared_text = str(pid), ts(min(created + 600, now_ts))
                    pair_counter[pair_index] += 1
                    featured = pair_counter[pair_index] % FEATURED_EVERY == FEATURED_EVERY // 2
                    shared.append((entry_id, pair_index, week_index, author, other, p, created, featured))
                updated = ts(created + 3600) if version > 1 else ts(created)
                rows.row(
                    f"{entry_id}\t{author}\t{task}\t{title}\t{body}\t{html}\t{monday_text[week_index]}\t"
                    f"{pair_text}\t{shared_text}\t{version}\t{ts(created)}\t{updated}"
                )

            for w in range(weeks):
                for pair_index, (_pid, _team, inviter, invitee, _sup) in enumerate(team_pairs):
                    wrote = False
                    for author, other in ((inviter, invitee), (invitee, inviter)):
                        for _ in range(draw(rng, shared_per_slot)):
                            entry(author, w, pair_index, other)
                            wrote = True
                    if wrote:
                        pair_weeks.append((pair_index, w))
                for author in peer_ids:
                    for _ in range(draw(rng, private_per_slot)):
                        entry(author, w, None, None)
                if w % 26 == 25:
                    self.progress(f"entries: week {w + 1}/{weeks}, {entry_id:,} rows")
        counts["entries"] = entry_id
        counts["shared entries"] = len(shared)
        self.progress(f"{entry_id:,} entries ({len(shared):,} shared)")

        with Copier(
            cursor, Revision, ["id", "entry", "version", "task", "title", "body", "created"], now
        ) as rows:
            for n, (eid, task, title, p, created) in enumerate(revisions, 1):
                rows.row(f"{n}\t{eid}\t1\t{task}\t{title}\t{pool_body[p]}\t{ts(created)}")
        counts["revisions"] = len(revisions)

        # Notes on shared entries: the featured ones get exactly FEATURED_NOTES ------------------
        featured = sum(1 for s in shared if s[7])
        rest = max(0, annotations - featured * FEATURED_NOTES)
        per_entry = rest / max(1, len(shared) - featured)
        note_fields = ["id", "entry", "author", "body", "body_html", "task", "exact", "prefix", "suffix"]
        note_fields += ["start", "end", "resolved", "resolved_by", "created", "updated"]
        note_id = reply_id = 0
        passages = [
            [f"{esc(q.exact)}\t{esc(q.prefix)}\t{esc(q.suffix)}\t{q.start}\t{q.end}" for q in body.quotes]
            for body in pool
        ]
        recent = monday_ts[-1] - 4 * 7 * 86400
        with Copier(cursor, Annotation, note_fields, now) as rows:
            reply_rows = []
            for eid, _pair, w, author, other, p, created, is_featured in shared:
                count = FEATURED_NOTES if is_featured else draw(rng, 2 * per_entry * random_())
                quotes = passages[p]
                old = monday_ts[w] < recent
                for _ in range(count):
                    note_id += 1
                    writer = other if random_() < 0.7 else author
                    when = min(created + 3600 + int(random_() * 259200), now_ts - 30)
                    body, html = notes[note_id % len(notes)]
                    task = tasks[note_id % 4] if note_id % 3 == 0 else ""
                    if quotes and random_() < 0.8:
                        passage = quotes[int(random_() * len(quotes))]
                    else:
                        passage = "\t\t\t\\N\t\\N"
                    if old and random_() < 0.5:
                        resolved = f"{ts(when + 86400)}\t{author}"
                    else:
                        resolved = "\\N\t\\N"
                    stamp = ts(when)
                    rows.row(
                        f"{note_id}\t{eid}\t{writer}\t{body}\t{html}\t{task}\t{passage}\t{resolved}\t{stamp}\t{stamp}"
                    )
                    if random_() < 0.1:
                        reply_id += 1
                        replier = author if writer == other else other
                        reply_rows.append((reply_id, note_id, replier, when + 7200))
        counts["annotations"] = note_id
        self.progress(f"{note_id:,} notes ({featured:,} entries with {FEATURED_NOTES})")
        with Copier(
            cursor, Reply, ["id", "annotation", "author", "body", "body_html", "created", "updated"], now
        ) as rows:
            for rid, nid, replier, when in reply_rows:
                body, html = replies[rid % len(replies)]
                when = ts(min(when, now_ts - 10))
                rows.row(f"{rid}\t{nid}\t{replier}\t{body}\t{html}\t{when}\t{when}")
        counts["replies"] = reply_id

        # Reading: the other peer has seen nearly everything; reads are recorded ------------------
        fresh = monday_ts[-1] - 7 * 86400
        view_id = 0
        with Copier(cursor, EntryView, ["id", "user", "entry", "seen"], now) as views:
            seen_rows = []
            for eid, pair_index, w, _author, other, _p, created, _f in shared:
                if created >= fresh and rng.random() < 0.5:
                    continue
                view_id += 1
                seen = min(created + 86400, now_ts - 5)
                views.row(f"{view_id}\t{other}\t{eid}\t{ts(seen)}")
                seen_rows.append((other, team_pairs[pair_index][0], w, seen))
        with Copier(cursor, ReadRecord, ["id", "reader", "pair", "week", "entry", "created"], now) as rows:
            for n, (reader, pid, w, seen) in enumerate(seen_rows, 1):
                rows.row(f"{n}\t{reader}\t{pid}\t{monday_text[w]}\t\\N\t{ts(seen)}")
        counts["entry views"] = view_id
        counts["read records"] = len(seen_rows)
        del seen_rows

        # Supervision: reviewed weeks, review notes with replies ---------------------------------
        review_id = note_id = reply_id = 0
        review_notes = []
        with Copier(cursor, WeekReview, ["id", "pair", "week", "supervisor", "created"], now) as rows:
            for pair_index, w in pair_weeks:
                if w == weeks - 1:
                    continue
                pid, _team, _a, _b, supervisor = team_pairs[pair_index]
                when = ts(min(monday_ts[w] + 9 * 86400, now_ts - 60))
                if rng.random() < 0.3:
                    review_id += 1
                    rows.row(f"{review_id}\t{pid}\t{monday_text[w]}\t{supervisor}\t{when}")
                if rng.random() < 0.125:
                    review_notes.append((pid, w, supervisor, when, team_pairs[pair_index][2]))
        with Copier(
            cursor,
            ReviewNote,
            ["id", "pair", "week", "author", "body", "body_html", "created", "updated"],
            now,
        ) as rows:
            for n, (pid, w, supervisor, when, _peer) in enumerate(review_notes, 1):
                body, html = reviews[n % len(reviews)]
                rows.row(f"{n}\t{pid}\t{monday_text[w]}\t{supervisor}\t{body}\t{html}\t{when}\t{when}")
        with Copier(
            cursor, ReviewReply, ["id", "note", "author", "body", "body_html", "created"], now
        ) as rows:
            for n, (_pid, _w, _sup, when, peer) in enumerate(review_notes, 1):
                if n % 3 == 0:
                    reply_id += 1
                    body, html = replies[n % len(replies)]
                    rows.row(f"{reply_id}\t{n}\t{peer}\t{body}\t{html}\t{when}")
        counts.update(
            {"week reviews": review_id, "review notes": len(review_notes), "review replies": reply_id}
        )

        draft_fields = ["id", "author", "key", "task", "title", "body", "week", "updated"]
        with Copier(cursor, Draft, draft_fields, now) as rows:
            drafts = peer_ids[::10]
            for n, author in enumerate(drafts, 1):
                rows.row(
                    f"{n}\t{author}\tseed-{n:08d}\t{tasks[n % 4]}\t\t{pool_body[n % len(pool)]}\t"
                    f"{monday_text[-1]}\t{ts(now_ts - 3600)}"
                )
        counts["drafts"] = len(drafts)
        return counts


# --- The search index -------------------------------------------------------------------------------
# COPY bypasses save(), so the search documents are written here, by SQL, for the kinds this command
# seeds: the same columns and keys as search.index.document_for() and the kinds' keys() (a test
# compares the two on a small seed), with the plain text taken from the sanitised HTML by
# stripping its tags. Through the ORM (manage.py rebuild_search_index) a million entries and three
# million notes take about an hour; here, a few minutes on two cores.
def _plain(html):
    text = f"regexp_replace({html}, '<[^>]*>', ' ', 'g')"
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#x27;", "''"), ("&amp;", "&")):
        text = f"replace({text}, '{entity}', '{char}')"
    return f"btrim(regexp_replace({text}, '\\s+', ' ', 'g'))"


def _vector(title, body):
    return (
        f"setweight(to_tsvector('{SEARCH_CONFIG}', {title}), 'A') || "
        f"setweight(to_tsvector('{SEARCH_CONFIG}', {body}), 'B')"
    )


DOCUMENT_COLUMNS = (
    "kind, object_id, author_id, created, title, body, vector, owner_id, thread_id, cohort_id, task"
)
SEARCH_DOCUMENTS = {
    "entry": f"""SELECT 'entry', e.id, e.author_id, e.created, e.title, t.plain, {_vector("e.title", "t.plain")},
        e.author_id, e.pair_id, NULL, e.task
        FROM reflections_entry e, LATERAL (SELECT {_plain("e.body_html")} AS plain) t""",
    "annotation": f"""SELECT 'annotation', a.id, a.author_id, a.created, '', t.plain, {_vector("''", "t.plain")},
        CASE WHEN e.pair_id IS NULL THEN NULL ELSE e.author_id END, e.pair_id, NULL,
        COALESCE(NULLIF(a.task, ''), e.task)
        FROM reflections_annotation a JOIN reflections_entry e ON e.id = a.entry_id,
        LATERAL (SELECT {_plain("a.body_html")} AS plain) t""",
    "reply": f"""SELECT 'reply', r.id, r.author_id, r.created, '', t.plain, {_vector("''", "t.plain")},
        CASE WHEN e.pair_id IS NULL THEN NULL ELSE e.author_id END, e.pair_id, NULL,
        COALESCE(NULLIF(a.task, ''), e.task)
        FROM reflections_reply r JOIN reflections_annotation a ON a.id = r.annotation_id
        JOIN reflections_entry e ON e.id = a.entry_id,
        LATERAL (SELECT {_plain("r.body_html")} AS plain) t""",
    "review_note": f"""SELECT 'review_note', n.id, n.author_id, n.created, '', t.plain, {_vector("''", "t.plain")},
        NULL, n.pair_id, NULL, ''
        FROM supervision_reviewnote n, LATERAL (SELECT {_plain("n.body_html")} AS plain) t""",
    "review_reply": f"""SELECT 'review_reply', r.id, r.author_id, r.created, '', t.plain, {_vector("''", "t.plain")},
        NULL, n.pair_id, NULL, ''
        FROM supervision_reviewreply r JOIN supervision_reviewnote n ON n.id = r.note_id,
        LATERAL (SELECT {_plain("r.body_html")} AS plain) t""",
}


def _insert_documents(kinds, own_connection=True):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for kind in kinds:
                cursor.execute(f"INSERT INTO search_document ({DOCUMENT_COLUMNS}) {SEARCH_DOCUMENTS[kind]}")
    finally:
        if own_connection:
            connection.close()  # this thread's own connection


def fill_search_index():
    """Write every seeded piece of writing's search document: entries on one connection and the
    rest on another (two cores), with the table's indexes built once afterwards. Inside an open
    transaction (a test) the other connection could not see the seed: one connection then."""
    table = Document._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
        saved = Command.drop_indexes(cursor, [table])
    if connection.in_atomic_block:
        _insert_documents(list(SEARCH_DOCUMENTS), own_connection=False)
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            halves = (["entry"], list(SEARCH_DOCUMENTS)[1:])
            for batch in [pool.submit(_insert_documents, kinds) for kinds in halves]:
                batch.result()  # a failure in either raises here
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        Command.restore_indexes(cursor, saved)
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


MODELS = [
    User,
    EmailAddress,
    Team,
    Membership,
    PeerPair,
    Entry,
    Revision,
    Draft,
    Annotation,
    Reply,
    EntryView,
    ReadRecord,
    WeekReview,
    ReviewNote,
    ReviewReply,
]
