"""Choose what the benchmark requests, sign people in, and count queries per page.

Run by bench/run.py in the benchmark's environment (production settings, the bench database):

    python -m bench.targets OUT_DIR [--people N] [--lines N]

It picks the pages' subjects from the seeded data (threads with years of history, entries with
20 notes, supervisors of teams with 30 pairs, people writing into their own pairs), creates a
real database session for each person (what signing in leaves behind) plus a CSRF secret, and
writes one request file per page for bench/wrk.lua. Then it requests a sample of each file
in-process through Django's test client and counts the SQL queries of each request (Django's
CaptureQueriesContext), so query counts come from the very requests the load replays, without
any code in the served app.
"""

import argparse
import importlib
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import django

PAGES = ["healthz", "yardstick", "dashboard", "thread", "entry", "team", "search", "write", "annotate"]
KINDS = {"healthz": "baseline", "yardstick": "reference", "write": "write", "annotate": "write"}
LABELS = {
    "healthz": "baseline /healthz/ (one trivial query)",
    "yardstick": "yardstick: a bare list page (20 rows, minimal template, signed in)",
    "dashboard": "dashboard /",
    "thread": "thread /threads/<pair>/ (3 years, by week)",
    "entry": "entry /entries/<id>/ (20 notes)",
    "team": "team page /review/teams/<team>/ (30 pairs)",
    "search": "search /search/?q=",
    "write": "write + share (POST /entries/new/, /share/)",
    "annotate": "add a note (POST /entries/<id>/notes/)",
}


def sign_in(user, engine, now):
    """A session row exactly like the one a sign-in leaves (auth keys and the sign-in time)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.middleware import SIGNED_IN_AT

    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = now
    session.create()
    return session.session_key


def choose(people_limit, rng):  # noqa: C901 - one pass over the data, page by page
    """The subjects of each page: {page: [(user, method, path, form fields, then)]}."""
    import datetime as dt

    from django.db.models import Count, Q
    from django.urls import Resolver404, resolve

    from accounts.models import Membership, Role
    from reflections.anchoring import quote_at, rendered_text
    from reflections.models import Entry, PeerPair
    from reflections.weeks import current_week

    pairs = list(
        PeerPair.objects.filter(status=PeerPair.Status.ACTIVE)
        .select_related("inviter", "invitee")
        .order_by("id")
    )
    if len(pairs) < 4:
        sys.exit("bench.targets: seed the database first (python manage.py seed_scale)")
    # Writers get pairs of their own, so the reads measure the same data throughout the run.
    writer_count = max(2, min(60, len(pairs) // 5))
    writer_pairs, reader_pairs = pairs[-writer_count:], pairs[:-writer_count]
    rng.shuffle(reader_pairs)
    reader_pairs = reader_pairs[: max(2, people_limit // 2)]
    supervisors = {}
    for m in Membership.objects.filter(role=Role.SUPERVISOR).select_related("user"):
        supervisors.setdefault(m.team_id, []).append(m.user)

    def readers_of(pair):
        """Who reads a pair's thread: both peers and a supervisor of their team."""
        return (pair.inviter, pair.invitee, *supervisors.get(pair.team_id, [])[:1])

    targets = {page: [] for page in PAGES}
    targets["healthz"] = [(None, "GET", "/healthz/", {}, "")]

    for pair in reader_pairs:
        for person in (pair.inviter, pair.invitee):
            targets["dashboard"].append((person, "GET", "/", {}, ""))
            # The yardstick (bench.reference), as the same people.
            targets["yardstick"].append((person, "GET", "/bench/bare-list/", {}, ""))

    this_week = current_week(pairs[0].inviter)
    last_year = [this_week - dt.timedelta(weeks=n) for n in range(1, 53)]
    for pair in reader_pairs:
        for reader in readers_of(pair):
            targets["thread"].append((reader, "GET", f"/threads/{pair.pk}/", {}, ""))
            before = rng.choice(last_year).isoformat()
            targets["thread"].append((reader, "GET", f"/threads/{pair.pk}/?before={before}", {}, ""))

    featured = (
        Entry.objects.filter(pair__in=reader_pairs, week__gte=last_year[-1])
        .annotate(notes=Count("annotations"))
        .filter(notes=20)
        .values_list("pk", "pair_id")
    )
    by_pair = {p.pk: p for p in reader_pairs}
    for entry_id, pair_id in featured:  # read by its author, the peer and a supervisor
        for reader in readers_of(by_pair[pair_id]):
            targets["entry"].append((reader, "GET", f"/entries/{entry_id}/", {}, ""))

    large_teams = (
        PeerPair.objects.filter(status=PeerPair.Status.ACTIVE)
        .values("team_id")
        .annotate(n=Count("id"))
        .filter(n=30)
        .values_list("team_id", flat=True)
    )
    for team_id in large_teams:
        for supervisor in supervisors.get(team_id, []):
            targets["team"].append((supervisor, "GET", f"/review/teams/{team_id}/", {}, ""))

    try:
        resolve("/search/")
    except Resolver404:
        targets["search"] = "no /search/ URL yet"
    else:
        from django.apps import apps

        from reflections.management.commands.seed_scale import FEELINGS

        indexed = apps.get_model("search", "Document").objects.filter(kind="entry").count()
        if indexed < Entry.objects.count() // 2:
            targets["search"] = "search index not built (python manage.py rebuild_search_index)"
        else:
            for pair in reader_pairs:
                # The supervisor reads every thread of the team: a search over some 24,000
                # documents at full scale.
                for person in readers_of(pair):
                    query = urlencode({"q": rng.choice(FEELINGS)})
                    targets["search"].append((person, "GET", f"/search/?{query}", {}, ""))

    for n, pair in enumerate(writer_pairs):
        for person in (pair.inviter, pair.invitee):
            form = {
                "task": ["connection", "worldview", "mutuality", "moving_towards"][n % 4],
                "title": f"Benchmark reflection {n}",
                "body": "Written by the benchmark.\n\nI noticed how quickly I wanted to fix things.",
                "week": this_week.isoformat(),
            }
            targets["write"].append((person, "POST", "/entries/new/", form, f"share:{pair.pk}"))

    recent = Entry.objects.filter(pair__in=writer_pairs, week__gte=this_week - dt.timedelta(weeks=8))
    recent = recent.annotate(n=Count("annotations")).filter(~Q(n=20)).select_related("pair__inviter")
    for entry in recent.order_by("id")[:400]:
        text = rendered_text(entry.body_html)
        start = text.find("I ", 20)
        quote = quote_at(text, start, start + 30) if start > 0 else None
        form = {"body": "Written by the benchmark: how did that feel?", "task": ""}
        if quote:
            form |= {
                "exact": quote.exact,
                "prefix": quote.prefix,
                "suffix": quote.suffix,
                "start": quote.start,
                "end": quote.end,
            }
        for person in (entry.pair.inviter, entry.pair.invitee):
            targets["annotate"].append((person, "POST", f"/entries/{entry.pk}/notes/", form, ""))
    return targets


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def sql_count(captured):
    """Statements that read or write data; BEGIN/COMMIT/SAVEPOINT, which Django logs too, are
    bookkeeping of the one transaction and not counted."""
    return sum(1 for q in captured if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL))


def count_queries(lines, sample):
    """Queries per request for a sample of a page's request lines, through the full middleware
    stack in-process. Returns (mean, max, statements max, statuses)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts, statements, statuses = [], [], {}

    def run(client, method, path, data, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            response = client.generic(method, path, data, **kwargs)
        counts.append(sql_count(queries.captured_queries))
        statements.append(len(queries))
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        return response

    form = {"content_type": "application/x-www-form-urlencoded"}
    for method, path, cookie, csrf, body, then in lines[:sample]:
        client = Client(HTTP_HOST="127.0.0.1")
        if cookie:
            client.cookies["sessionid"] = cookie
            client.cookies["csrftoken"] = csrf
            # A session's first request in a minute also records its activity (4 more queries:
            # accounts.middleware); the load's requests mostly come within that minute, so the
            # count is of a request after it, as the page costs most of the time.
            client.get("/healthz/")
        if method == "POST":
            response = run(client, method, path, f"csrfmiddlewaretoken={csrf}&{body}", **form)
        else:
            response = run(client, method, path, "")
        if then.startswith("share:") and response.status_code == 302:
            entry_path = response["Location"].split("#")[0]
            share = f"csrfmiddlewaretoken={csrf}&pair={then.split(':')[1]}"
            run(client, "POST", f"{entry_path}share/", share, **form)
    if not counts:
        return None, None, None, statuses
    return round(sum(counts) / len(counts), 1), max(counts), max(statements), statuses


def data_size():
    """What the database holds, for the report's heading."""
    from accounts.models import Team, User
    from reflections.models import Annotation, Entry, PeerPair

    counts = [
        (Team.objects.count(), "teams"),
        (User.objects.count(), "people"),
        (PeerPair.objects.count(), "pairs"),
        (Entry.objects.count(), "entries"),
        (Annotation.objects.count(), "notes"),
    ]
    return ", ".join(f"{n:,} {label}" for n, label in counts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--people", type=int, default=240, help="about how many people sign in")
    parser.add_argument("--lines", type=int, default=3000, help="request lines per page file")
    parser.add_argument("--sample", type=int, default=12, help="requests per page for query counts")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ips_journal.settings")
    django.setup()
    from django.conf import settings
    from django.utils.crypto import get_random_string

    rng = random.Random(20261124)  # noqa: S311 - a repeatable choice of pages, not a secret
    engine = importlib.import_module(settings.SESSION_ENGINE)
    now = int(time.time())
    chosen = choose(args.people, rng)
    sessions = {}
    args.out.mkdir(parents=True, exist_ok=True)
    summary = {"pages": {}, "people": 0}
    for page in PAGES:
        subjects = chosen[page]
        if isinstance(subjects, str):
            summary["pages"][page] = {"label": LABELS[page], "skipped": subjects}
            continue
        if not subjects:
            summary["pages"][page] = {"label": LABELS[page], "skipped": "nothing of this kind in the data"}
            continue
        lines = []
        for user, method, path, form, then in subjects:
            if user is None:
                cookie = csrf = ""
            else:
                if user.pk not in sessions:
                    sessions[user.pk] = (sign_in(user, engine, now), get_random_string(32))
                cookie, csrf = sessions[user.pk]
            body = urlencode(form) if form else ""
            lines.append((method, path, cookie, csrf, body, then))
        rng.shuffle(lines)
        repeated = [lines[n % len(lines)] for n in range(max(args.lines, len(lines)))]
        if page == "healthz":
            repeated = lines
        with open(args.out / f"{page}.tsv", "w") as handle:
            for line in repeated:
                handle.write("\t".join(str(field) for field in line) + "\n")
        summary["pages"][page] = {
            "label": LABELS[page],
            "kind": KINDS.get(page, "read"),
            "distinct_requests": len(lines),
            "file": f"{page}.tsv",
        }
    summary["people"] = len(sessions)
    summary["data"] = data_size()
    for page, info in summary["pages"].items():
        if "file" not in info:
            continue
        with open(args.out / info["file"]) as handle:
            lines = [tuple(line.rstrip("\n").split("\t")) for line in handle]
        mean, most, statements, statuses = count_queries(lines, args.sample)
        info.update(queries_mean=mean, queries_max=most, statements_max=statements, sample_statuses=statuses)
        print(
            f"  {page:10s} {info['distinct_requests']:5d} distinct requests; queries per request "
            f"{mean} (max {most}; {statements} with BEGIN/COMMIT); responses {statuses}"
        )
    with open(args.out / "targets.json", "w") as handle:
        json.dump(summary, handle, indent=2)
    print(f"bench.targets: {summary['people']} people signed in; request files in {args.out}")


if __name__ == "__main__":
    main()
