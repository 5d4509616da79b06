# A harness that runs local tools (initdb, pg_ctl, gunicorn, psql) with arguments it builds itself:
# ruff: noqa: S603, S607, S608
"""`make faults`: lose nothing when the database or a worker falls over.

    python -m bench.faults [--seconds 42] [--writers 6] [--keep]

Runs on a PostgreSQL cluster of its own (initdb in a temporary directory, 127.0.0.1:54329), so
restarting the database never disturbs anyone else's server or tests. Steps:

1. Seed a small data set and sign in writers (as bench/targets.py does for the benchmark).
2. Serve the app with gunicorn (production settings, persistent connections, health checks).
3. Writers write, share and annotate entries without pause; every entry and note carries a
   unique token. During the load: PostgreSQL restarts (fast shutdown), a gunicorn worker is killed
   with SIGKILL, PostgreSQL crashes (immediate shutdown, crash recovery on start).
4. Every write the server acknowledged (a redirect to the entry) must be in the database:
   entries by token, shares by pair, notes by token. Failed requests are counted, and the time
   from each fault until requests succeed again is measured. Afterwards the server must serve a
   run of requests without one failure (no worker left broken).
5. Backup and restore drill: pg_dump of the database, pg_restore into a fresh one, and the
   app's row counts and a hash of every entry's text must match.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from . import drill, report
from .run import GUNICORN, PYTHON, ROOT, Server, log, server_env

PORT = 54329
APP_PORT = 8798


def pg_bin():
    versions = (
        sorted(os.listdir("/usr/lib/postgresql"), key=float) if os.path.isdir("/usr/lib/postgresql") else []
    )
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return Path("/usr/lib/postgresql") / versions[-1] / "bin"


class Cluster:
    """A throwaway PostgreSQL cluster (trust auth, loopback only) in a temporary directory."""

    def __init__(self, port=PORT):
        self.port = port
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="ips-faults-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgresql.log"
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, *args, check=True):
        cmd = [str(a) for a in args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def init(self):
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def pg_ctl(self, *args):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=on"
        return self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", *args)

    def start(self):
        self.pg_ctl("start")

    def restart(self, mode):
        return self.pg_ctl("restart", "-m", mode)

    def stop(self):
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Writer(threading.Thread):
    """One person writing without pause: create an entry, share it, annotate it. Records every
    request: when, what, the outcome, and the token or id it wrote."""

    def __init__(self, number, line, stop, records, run_id):
        super().__init__(daemon=True)
        method, path, cookie, csrf, body, then = line
        self.number, self.cookie, self.csrf = number, cookie, csrf
        self.form = dict(urllib.parse.parse_qsl(body))
        self.pair = then.split(":")[1]
        self.stop, self.records, self.run_id = stop, records, run_id

    def post(self, path, fields):
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **fields})
        headers = {
            "Cookie": f"sessionid={self.cookie}; csrftoken={self.csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=15)
        try:
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Location") or ""
        finally:
            connection.close()

    def attempt(self, kind, path, fields, token):
        started = time.monotonic()
        try:
            status, location = self.post(path, fields)
            outcome = status
        except (OSError, http.client.HTTPException) as error:
            status, location, outcome = None, "", type(error).__name__
        ok = status == 302 and location.startswith("/entries/") and "/accounts/" not in location
        self.records.append(
            {
                "kind": kind,
                "start": started,
                "end": time.monotonic(),
                "ok": ok,
                "outcome": outcome,
                "token": token,
                "location": location,
            }
        )
        return ok, location

    def run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            token = f"fault-{self.run_id}-{self.number}-{n}"
            fields = {**self.form, "body": f"{token}\n\nWritten while things fail."}
            ok, location = self.attempt("entry", "/entries/new/", fields, token)
            if not ok:
                continue
            entry = location.split("/")[2]
            ok, _ = self.attempt("share", f"/entries/{entry}/share/", {"pair": self.pair}, entry)
            if not ok:
                continue
            note = f"note-{token}"
            self.attempt("note", f"/entries/{entry}/notes/", {"body": note, "task": ""}, note)


def recovery(records, fault_time, until):
    """Requests that failed because of one fault (those ending between it and the next fault),
    and the seconds from the fault until requests succeed again: the end of the first success
    after the last of those failures (0 when nothing failed)."""
    failures = [r for r in records if not r["ok"] and fault_time <= r["end"] < until]
    if not failures:
        return {"failed": 0, "recovery_s": 0.0}
    last_failure = max(r["end"] for r in failures)
    later = [r["end"] for r in records if r["ok"] and r["start"] >= last_failure - 0.001]
    back = min(later) if later else None
    return {
        "failed": len(failures),
        "recovery_s": round(back - fault_time, 2) if back else None,
        "outcomes": sorted({str(r["outcome"]) for r in failures}),
    }


def verify(url, run_id, records):
    """Every acknowledged write is in the database."""
    entries = set(
        drill.query(
            url,
            f"SELECT split_part(body, E'\\n', 1) FROM reflections_entry WHERE body LIKE 'fault-{run_id}-%'",
        )
    )
    shared = set(drill.query(url, "SELECT id::text FROM reflections_entry WHERE pair_id IS NOT NULL"))
    notes = set(
        drill.query(url, f"SELECT body FROM reflections_annotation WHERE body LIKE 'note-fault-{run_id}-%'")
    )
    acknowledged = {
        kind: [r for r in records if r["ok"] and r["kind"] == kind] for kind in ["entry", "share", "note"]
    }
    lost = {
        "entry": [r["token"] for r in acknowledged["entry"] if r["token"] not in entries],
        "share": [r["token"] for r in acknowledged["share"] if r["token"] not in shared],
        "note": [r["token"] for r in acknowledged["note"] if r["token"] not in notes],
    }
    return {k: len(v) for k, v in acknowledged.items()}, lost


def health_run(count=60):
    """After the faults: a run of requests that must all succeed (no worker left broken)."""
    failures = 0
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=10)
        try:
            connection.request("GET", "/healthz/")
            response = connection.getresponse()
            response.read()
            failures += response.status != 200
        except (OSError, http.client.HTTPException):
            failures += 1
        finally:
            connection.close()
    return failures


def main(argv=None):  # noqa: C901 - the drill's steps, in order
    parser = argparse.ArgumentParser(description="IPS Journal fault drill")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FAULT_SECONDS") or 42))
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the temporary cluster for a look")
    args = parser.parse_args(argv)
    # Stopped from outside (SIGTERM): unwind, so gunicorn (and the drill's cluster) are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench-results" / f"{stamp}-faults"
    out.mkdir(parents=True, exist_ok=True)
    cluster = Cluster()
    server = None
    log(f"fault drill; private PostgreSQL cluster in {cluster.dir} on 127.0.0.1:{PORT}")
    try:
        cluster.init()
        subprocess.run(
            ["psql", "-X", "-q", cluster.url("postgres"), "-c", "CREATE DATABASE ips_faults"], check=True
        )
        database_url = cluster.url("ips_faults")
        env = server_env(database_url, "bench-faults-" + os.urandom(24).hex())
        subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PYTHON, "manage.py", "seed_scale", "--preset", "tiny"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
        )
        targets = out / "targets"
        subprocess.run(
            [PYTHON, "-m", "bench.targets", str(targets), "--sample", "1"], cwd=ROOT, env=env, check=True
        )
        with open(targets / "write.tsv") as handle:
            lines = list(dict.fromkeys(tuple(line.rstrip("\n").split("\t")) for line in handle))
        server = Server("sync:2", APP_PORT, env, out / "gunicorn.log")
        assert server.cmd[0] == GUNICORN
        server.start()

        records, stop = [], threading.Event()
        run_id = stamp.lower()
        writers = [Writer(n, lines[n % len(lines)], stop, records, run_id) for n in range(args.writers)]
        started = time.monotonic()
        for writer in writers:
            writer.start()
        step = args.seconds / 4
        faults = []

        def at(offset):
            time.sleep(max(0.0, started + offset - time.monotonic()))
            return time.monotonic()

        when = at(step)
        log("fault 1: PostgreSQL restart (fast shutdown: connections closed)")
        took = time.monotonic()
        cluster.restart("fast")
        faults.append(
            {"fault": "PostgreSQL restart (fast)", "at": when, "action_s": round(time.monotonic() - took, 2)}
        )

        when = at(2 * step)
        workers = [pid for pid in server.pids() if pid != server.process.pid]
        victim = workers[0]
        log(f"fault 2: SIGKILL to gunicorn worker {victim}")
        os.kill(victim, signal.SIGKILL)
        faults.append({"fault": "gunicorn worker killed (SIGKILL)", "at": when, "action_s": 0.0})

        when = at(3 * step)
        log("fault 3: PostgreSQL crash (immediate shutdown; crash recovery on start)")
        took = time.monotonic()
        cluster.restart("immediate")
        faults.append(
            {
                "fault": "PostgreSQL crash (immediate)",
                "at": when,
                "action_s": round(time.monotonic() - took, 2),
            }
        )

        at(args.seconds)
        stop.set()
        for writer in writers:
            writer.join(timeout=30)
        log(f"load stopped: {len(records)} write requests")

        ends = [f["at"] for f in faults[1:]] + [started + args.seconds]
        for fault, until in zip(faults, ends, strict=True):
            fault.update(recovery(records, fault["at"], until))
            fault["at_s"] = round(fault.pop("at") - started, 2)
        acknowledged, lost = verify(database_url, run_id, records)
        health_failures = health_run()
        workers_after = len(server.pids()) - 1
        latencies = [1000 * (r["end"] - r["start"]) for r in records if r["ok"]]
        backup = drill.drill(database_url, cluster.url("ips_faults_restored"), out / "backup.dump")
        result = {
            "started": stamp,
            "seconds": args.seconds,
            "writers": args.writers,
            "requests": len(records),
            "acknowledged": acknowledged,
            "failed_requests": sum(1 for r in records if not r["ok"]),
            "lost": {k: len(v) for k, v in lost.items()},
            "lost_tokens": lost,
            "faults": faults,
            "after": {"healthz_failures_in_60": health_failures, "workers_alive": workers_after},
            "latency_ms": {
                "p50": round(report.percentile(latencies, 50) or 0, 1),
                "p95": round(report.percentile(latencies, 95) or 0, 1),
            },
            "backup_restore": backup,
            "timeline": [
                [
                    r["kind"],
                    round(r["start"] - started, 3),
                    round(r["end"] - started, 3),
                    r["ok"],
                    str(r["outcome"]),
                ]
                for r in sorted(records, key=lambda r: r["start"])
            ],
        }
        with open(out / "faults.json", "w") as handle:
            json.dump(result, handle, indent=2)
        text = markdown(result)
        with open(out / "faults.md", "w") as handle:
            handle.write(text)
        shutil.copy(out / "faults.json", ROOT / "bench-results" / "latest-faults.json")
        shutil.copy(out / "faults.md", ROOT / "bench-results" / "latest-faults.md")
        print()
        print(text)
        ok = (
            not any(lost.values())
            and health_failures == 0
            and backup["match"]
            and all(f["recovery_s"] is not None for f in faults)
        )
        if not ok:
            raise SystemExit("fault drill FAILED: see above")
    finally:
        if server:
            server.stop()
        cluster.stop()
        if not args.keep:
            cluster.remove()


def markdown(result):
    lost = sum(result["lost"].values())
    ack = result["acknowledged"]
    out = [
        f"Fault drill: {result['writers']} writers for {result['seconds']} s, {result['requests']} write "
        f"requests; acknowledged {ack['entry']} entries, {ack['share']} shares, {ack['note']} notes; "
        f"**{lost} acknowledged writes lost**; {result['failed_requests']} requests failed "
        f"(p50 {result['latency_ms']['p50']} ms, p95 {result['latency_ms']['p95']} ms for the rest).",
        "",
        "| fault | at | failed requests | requests succeed again after | of which the fault itself took |",
        "|---|---:|---:|---:|---:|",
    ]
    for fault in result["faults"]:
        recovered = "–" if fault["recovery_s"] is None else f"{fault['recovery_s']:.2f} s"
        out.append(
            f"| {fault['fault']} | {fault['at_s']:.1f} s | {fault['failed']} | {recovered} | "
            f"{fault['action_s']:.2f} s |"
        )
    after = result["after"]
    backup = result["backup_restore"]
    out += [
        "",
        f"Afterwards: {after['healthz_failures_in_60']} failures in 60 requests; "
        f"{after['workers_alive']} gunicorn workers alive.",
        "",
        f"Backup and restore: pg_dump {backup['dump_bytes']:,} bytes in {backup['dump_s']} s, restore in "
        f"{backup['restore_s']} s; counts {'match' if backup['counts_match'] else 'DIFFER'} "
        f"({backup['counts']['reflections_entry']:,} entries), hash of entry texts "
        f"{'matches' if backup['hash_match'] else 'DIFFERS'} ({backup['hash'][:12]}…).",
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
