# Runs pg_dump, pg_restore and psql with arguments it builds itself:
# ruff: noqa: S603, S607, S608
"""Backup and restore drill: pg_dump → restore into a fresh database → the counts and a hash of
every entry's text must match.

    python -m bench.drill postgres://user@host:5432/journal [--target postgres://…/journal_restored]

The target database is created (and must not exist yet); without --target it is the source's
name plus `_restored` on the same server, dropped again after the check unless --keep.
"""

import argparse
import json
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# What must survive a restore word for word: every entry's text, title and task, and every note.
HASH_SQL = """
SELECT md5(coalesce(string_agg(md5(task || E'\\x1f' || title || E'\\x1f' || body), '' ORDER BY id), ''))
    || md5(coalesce((SELECT string_agg(md5(body), '' ORDER BY id) FROM reflections_annotation), ''))
FROM reflections_entry
"""


def query(url, sql):
    result = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.split("\n") if line]


def counts(url):
    """Rows in every table of the app's schema."""
    tables = query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    return {name: int(n) for name, n in (row.split("|") for row in query(url, union))}


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drill(source, target, dump_file):
    """Dump `source`, restore it into the new database `target`, compare. Returns the figures."""
    target_name = urlsplit(target).path.lstrip("/")
    dump_file = Path(dump_file)
    started = time.monotonic()
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump_file), source], check=True)
    dumped = time.monotonic()
    admin = with_database(target, "postgres")
    query(admin, f'CREATE DATABASE "{target_name}"')
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target, str(dump_file)], check=True
    )
    restored = time.monotonic()
    before, after = counts(source), counts(target)
    hash_before, hash_after = query(source, HASH_SQL)[0], query(target, HASH_SQL)[0]
    return {
        "dump_bytes": dump_file.stat().st_size,
        "dump_s": round(dumped - started, 2),
        "restore_s": round(restored - dumped, 2),
        "counts": before,
        "counts_match": before == after,
        "count_differences": {
            t: [before.get(t), after.get(t)] for t in before | after if before.get(t) != after.get(t)
        },
        "hash": hash_before,
        "hash_match": hash_before == hash_after,
        "match": before == after and hash_before == hash_after,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("--target")
    parser.add_argument("--dump", default="/tmp/ips-journal-drill.dump")  # noqa: S108 - a scratch file
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    source_name = urlsplit(args.source).path.lstrip("/")
    target = args.target or with_database(args.source, f"{source_name}_restored")
    result = drill(args.source, target, args.dump)
    if not args.keep:
        query(with_database(target, "postgres"), f'DROP DATABASE "{urlsplit(target).path.lstrip("/")}"')
        Path(args.dump).unlink(missing_ok=True)
    print(json.dumps({k: v for k, v in result.items() if k != "counts"}, indent=2))
    entries = result["counts"].get("reflections_entry", 0)
    print(
        f"{'MATCH' if result['match'] else 'MISMATCH'}: {len(result['counts'])} tables, {entries:,} entries"
    )
    raise SystemExit(0 if result["match"] else 1)


if __name__ == "__main__":
    main()
