# A harness that runs local tools (psql, gunicorn, wrk) with arguments it builds itself:
# ruff: noqa: S603, S607, S608
"""`make bench`: seed PostgreSQL, serve the app with gunicorn, drive it with wrk, report.

    python -m bench.run [--scale small|full] [--duration 10] [--connections 16,64]
                        [--workers sync:2] [--reuse] [--pages thread,entry]

Everything runs on this machine over loopback: PostgreSQL on 127.0.0.1:5432, gunicorn on
127.0.0.1:8799 with production settings (DEBUG off, manifest static files, persistent database
connections with health checks), and wrk in its own process as the load generator. Each page is
driven on its own for --duration seconds at each concurrency, between two runs of the /healthz/
baseline, so every figure has a baseline from the same minute beside it.

Results go to bench-results/<time>-<scale>/results.{json,md} and bench-results/latest-<scale>.*.
"""

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from . import report

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PYTHON = str(VENV / "python") if (VENV / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
ROLE = os.environ.get("BENCH_PG_ROLE", "ips_journal")
# The yardstick (bench.reference) is measured like a page but has no target: it shows what this
# machine gives a page that does almost nothing.
REFERENCE_PAGES = ["yardstick"]
READ_PAGES = ["dashboard", "thread", "entry", "team", "search"]
WRITE_PAGES = ["write", "annotate"]
TICKS = os.sysconf("SC_CLK_TCK")


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def psql(url, sql, check=True):
    result = subprocess.run(
        ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode:
        raise SystemExit(f"psql failed: {sql}\n{result.stderr}")
    return result.stdout.strip()


def ensure_postgres():
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0:
        return
    log("PostgreSQL is not answering on 127.0.0.1:5432; starting the cluster")
    versions = sorted(os.listdir("/etc/postgresql"), key=float) if os.path.isdir("/etc/postgresql") else []
    if not versions:
        raise SystemExit("No PostgreSQL cluster here (see README: Performance).")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"], check=False)
    for _ in range(60):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
            return
        time.sleep(1)
    raise SystemExit("PostgreSQL did not start")


def prepare_database(name, preset, reuse):
    """A database of its own for the benchmark, seeded by seed_scale (reused when it already
    holds the same preset and --reuse is given)."""
    psql(
        ADMIN_URL,
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN "
        f"CREATE ROLE {ROLE} LOGIN CREATEDB; END IF; END $$;",
    )
    marker = f"seed_scale preset={preset}"
    exists = psql(ADMIN_URL, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if reuse and exists:
        comment = psql(
            ADMIN_URL,
            f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'",
        )
        if comment == marker:
            log(f"reusing database {name} ({marker})")
            return False
    if exists:
        psql(ADMIN_URL, f"DROP DATABASE {name} WITH (FORCE)")
    psql(ADMIN_URL, f"CREATE DATABASE {name} OWNER {ROLE}")
    return True


def bench_redis():
    """A Redis database of the benchmark's own, emptied, as in production (REDIS_URL); None when
    no Redis answers (the app then caches in each process's memory)."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except Exception as error:  # noqa: BLE001 - any failure means: no Redis for this run
        log(f"no Redis at {url} ({error.__class__.__name__}): caching in each worker's memory")
        return None
    return url


def settle(database, fresh):
    """Let the database come to rest before measuring: after a fresh seed, VACUUM (so reads find
    the visibility map set and write no hint bits) and ANALYZE; then a CHECKPOINT, and wait while
    autovacuum works on this database. Otherwise the first minutes of a run measure the seed's
    aftermath, not the app."""
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    if fresh:
        log("VACUUM (ANALYZE) after seeding")
        psql(url, "VACUUM (ANALYZE)")
    psql(url, "CHECKPOINT")
    waiting = (
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' "
        f"AND datname = '{database}'"
    )
    for seconds in range(600):
        if psql(url, waiting) == "0":
            break
        if seconds % 30 == 0:
            log("waiting for autovacuum to finish on the benchmark's database")
        time.sleep(1)
    prewarm(url)


def prewarm(url):
    """Read the database's tables and indexes into the operating system's page cache
    (pg_prewarm, 'read'), as a running server's would be: on a machine whose cache has not seen
    the files since they were written, a first full run otherwise measures the disk (search at
    6 requests/s with the app 8 % busy, the fourteenth session's machine)."""
    started = time.monotonic()
    psql(url, "CREATE EXTENSION IF NOT EXISTS pg_prewarm", check=False)  # a contrib module
    if psql(url, "SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'"):
        blocks = psql(
            url,
            "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'i', 't', 'm') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
        )
        log(
            f"read {int(blocks or 0) * 8 // 1024:,} MB into the page cache in {time.monotonic() - started:.0f} s"
        )
    else:
        log("pg_prewarm is not available: the first run may measure the disk")


def server_env(database_url, secret, redis_url=None):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SMTP_", "SESSION_")) and key not in {"DATABASE_URL"}
    }
    env.update(
        # Production settings plus the yardstick page (bench/settings.py).
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY=secret,
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: no TLS to redirect to, so no secure-only cookies either.
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        # The sessions the benchmark signs in must outlive a long (SCALE=full) run.
        SESSION_IDLE_MINUTES="240",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


class Server:
    """gunicorn with the given worker model, e.g. "sync:2" or "gthread:2x4" (workers × threads)."""

    def __init__(self, spec, port, env, logfile):
        kind, _, size = spec.partition(":")
        workers, _, threads = size.partition("x")
        self.spec, self.port, self.env, self.logfile = spec, port, env, logfile
        self.cmd = [
            GUNICORN,
            "ips_journal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            kind,
            "--workers",
            workers or "2",
            "--threads",
            threads or "1",
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "--error-logfile",
            str(logfile),
            "--log-level",
            "warning",
        ]
        self.process = None

    def start(self):
        # Django's own log lines (errors while the database is down, say) go to the same file.
        with open(self.logfile, "ab") as output:
            self.process = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=output, stderr=output)
        url = f"http://127.0.0.1:{self.port}/healthz/"
        for _ in range(100):
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.logfile}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer /healthz/")

    def pids(self):
        if self.process is None:
            return []
        pids = [self.process.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.process.pid:
                        pids.append(int(entry))
                except (OSError, IndexError):
                    continue
        return pids

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def proc_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError):
        return 0


def postgres_pids(database):
    """Backends serving the benchmark's database (their process title names it)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    title = handle.read().decode(errors="replace")
            except OSError:
                continue
            if title.startswith("postgres:") and f" {database} " in title:
                pids.append(int(entry))
    return pids


def machine_ticks():
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values), sum(values) - idle


class Meter:
    """Where the CPU went during one run: our server, PostgreSQL's backends for our database, the
    load generator, everything else on the machine (other people's work)."""

    def __init__(self, server, database):
        self.server, self.database = server, database

    def __enter__(self):
        self.server_pids = self.server.pids()
        self.pg_start = {pid: proc_ticks(pid) for pid in postgres_pids(self.database)}
        self.server_start = sum(proc_ticks(pid) for pid in self.server_pids)
        self.machine_start = machine_ticks()
        self.children_start = os.times()
        self.load = [os.getloadavg()[0]]
        return self

    def __exit__(self, *exc):
        total, busy = (b - a for a, b in zip(self.machine_start, machine_ticks(), strict=True))
        server = sum(proc_ticks(pid) for pid in self.server.pids()) - self.server_start
        pg = sum(proc_ticks(pid) - self.pg_start.get(pid, 0) for pid in postgres_pids(self.database))
        times = os.times()
        generator = (
            times.children_user + times.children_system - self.children_start.children_user
        ) - self.children_start.children_system
        generator_ticks = generator * TICKS
        self.load.append(os.getloadavg()[0])
        total = max(total, 1)
        self.cpu = {
            "busy": busy / total,
            "server": server / total,
            "postgres": pg / total,
            "generator": generator_ticks / total,
            "other": max(0.0, (busy - server - pg - generator_ticks) / total),
        }
        # CPU seconds our server and its database backends spent: per request, a cost that other
        # people's load on the machine changes far less than it changes throughput.
        self.app_cpu_s = (server + pg) / TICKS


def wrk(url, file, connections, duration):
    cmd = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{duration}s"]
    cmd += ["--timeout", "30s", "-s", str(ROOT / "bench" / "wrk.lua"), url, "--", str(file)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    return report.parse_wrk(result.stdout)


def drain(url):
    """Wait until requests queued by the previous run are served. When wrk stops, its open
    requests stay in gunicorn's backlog and are still served (a sync worker cannot tell that the
    client left); a slow page at 64 connections leaves tens of seconds of work that would otherwise
    be charged to the next page. One /healthz/ request waits behind all of it."""
    started = time.monotonic()
    with urllib.request.urlopen(f"{url}/healthz/", timeout=300) as response:  # noqa: S310 - loopback
        response.read()
    waited = time.monotonic() - started
    if waited > 1:
        log(f"     (waited {waited:.1f} s for the previous run's queued requests)")


def average_cpu(runs):
    keys = ["busy", "server", "postgres", "generator", "other"]
    return {k: round(sum(r[k] for r in runs) / len(runs), 3) for k in keys}


def measure(server, database, pages, targets_dir, url, connections, duration):
    def one(page):
        drain(url)
        with Meter(server, database) as meter:
            raw = wrk(url, targets_dir / f"{page}.tsv", connections, duration)
        stats = report.page_stats(raw)
        stats["cpu"] = {k: round(v, 3) for k, v in meter.cpu.items()}
        stats["cpu_ms_per_request"] = round(1000 * meter.app_cpu_s / max(stats["requests"], 1), 3)
        stats["load"] = meter.load
        log(
            f"  {connections:3d} conns {page:10s} {stats['rps']:8.1f} req/s  p50 {stats['p50_ms']:7.2f} "
            f"p95 {stats['p95_ms']:7.2f} p99 {stats['p99_ms']:7.2f} ms  errors {stats['errors']}  "
            f"(load {meter.load[-1]:.1f}, server {meter.cpu['server']:.0%}, wrk {meter.cpu['generator']:.0%}, "
            f"other {meter.cpu['other']:.0%})"
        )
        if stats["errors"]:
            log(f"     first bad responses: {stats['error_samples']}")
        return stats

    first = one("healthz")
    results = {page: one(page) for page in pages}
    last = one("healthz")
    baseline = report.merge_baselines(first, last)
    baseline["cpu_ms_per_request"] = round((first["cpu_ms_per_request"] + last["cpu_ms_per_request"]) / 2, 3)
    runs = [first, *results.values(), last]
    loads = [value for r in runs for value in r["load"]]
    pages_out = {"healthz": baseline, **results}
    report.add_ratios(pages_out, baseline)
    return {
        "connections": connections,
        "baseline": baseline,
        "baseline_runs": [first, last],
        "pages": pages_out,
        "cpu": average_cpu([r["cpu"] for r in runs]),
        "load": {"min": min(loads), "max": max(loads), "mean": round(sum(loads) / len(loads), 2)},
    }


def main(argv=None):  # noqa: C901 - the benchmark's steps, in order
    parser = argparse.ArgumentParser(description="IPS Journal benchmark")
    parser.add_argument("--scale", choices=["small", "full"], default=os.environ.get("SCALE") or "small")
    parser.add_argument("--duration", type=int, default=int(os.environ.get("DURATION") or 10))
    parser.add_argument("--connections", default=os.environ.get("CONNECTIONS") or "16,64")
    parser.add_argument(
        "--workers",
        default=os.environ.get("WORKERS") or "gthread:2x4",
        help="gunicorn worker models to compare, space-separated: sync:2 sync:3 gthread:2x4",
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT") or 8799))
    parser.add_argument("--reuse", action="store_true", default=os.environ.get("REUSE") == "1")
    parser.add_argument("--pages", default=os.environ.get("PAGES") or "", help="comma-separated subset")
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args(argv)
    # Stopped from outside (SIGTERM): unwind, so gunicorn (and the drill's cluster) are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (see README: Performance)")

    started = time.monotonic()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench-results" / f"{stamp}-{args.scale}"
    out.mkdir(parents=True, exist_ok=True)
    database = f"ips_bench_{args.scale}"
    database_url = f"postgres://{ROLE}@127.0.0.1:5432/{database}"
    secret = "bench-" + secrets.token_urlsafe(48)
    redis_url = bench_redis()
    env = server_env(database_url, secret, redis_url)
    log(f"scale {args.scale}; results in {out.relative_to(ROOT)}; load average {os.getloadavg()}")

    ensure_postgres()
    fresh = prepare_database(database, args.scale, args.reuse or args.scale == "full")
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env)
    if fresh:
        log(f"seeding {database} (seed_scale --preset {args.scale})")
        seed = time.monotonic()
        run([PYTHON, "manage.py", "seed_scale", "--preset", args.scale], env)
        psql(ADMIN_URL, f"COMMENT ON DATABASE {database} IS 'seed_scale preset={args.scale}'")
        log(f"seeded in {time.monotonic() - seed:.0f} s")
        # seed_scale writes the search documents itself (by SQL; see fill_search_index).
    settle(database, fresh)
    if args.seed_only:
        return
    run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env)
    targets_dir = out / "targets"
    log("signing people in, writing request files, counting queries per page")
    run([PYTHON, "-m", "bench.targets", str(targets_dir)], env)
    with open(targets_dir / "targets.json") as handle:
        targets = json.load(handle)
    every = REFERENCE_PAGES + READ_PAGES + WRITE_PAGES
    wanted = [p for p in args.pages.split(",") if p] or every
    pages = [p for p in every if p in wanted and "file" in targets["pages"].get(p, {})]
    levels = [int(c) for c in args.connections.split(",")]
    url = f"http://127.0.0.1:{args.port}"
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    smaller = None
    if args.scale == "full" and (ROOT / "bench-results" / "latest-small.json").exists():
        with open(ROOT / "bench-results" / "latest-small.json") as handle:
            smaller = json.load(handle)

    for spec in args.workers.split():
        server = Server(spec, args.port, env, out / f"gunicorn-{spec.replace(':', '-')}.log")
        log(f"gunicorn {spec}: {' '.join(server.cmd[1:])}")
        server.start()
        try:
            log("warming up (each page 2 s, not recorded)")
            for page in ["healthz", *pages]:
                wrk(url, targets_dir / f"{page}.tsv", 16, 2)
            results = [measure(server, database, pages, targets_dir, url, c, args.duration) for c in levels]
        finally:
            server.stop()
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        result = {
            "meta": {
                "scale": args.scale,
                "data": targets["data"],
                "machine": f"{os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}",
                "server": f"gunicorn {spec} (production settings, persistent DB connections, "
                f"cache: {'Redis' if redis_url else 'in each process'})",
                "generator": f"{(wrk_version.stdout or wrk_version.stderr).split(' [')[0]} with bench/wrk.lua, "
                "one connection per thread",
                "duration": args.duration,
                "people": targets["people"],
                "commit": commit.stdout.strip(),
                "started": stamp,
                "took_s": round(time.monotonic() - started),
            },
            "pages": targets["pages"],
            "levels": results,
        }
        for level in results:
            small_level = None
            if smaller:
                small_level = next(
                    (x for x in smaller["levels"] if x["connections"] == level["connections"]), None
                )
            for name, stats in level["pages"].items():
                info = targets["pages"][name]
                small_p95 = None
                if small_level and name in small_level["pages"]:
                    small_p95 = small_level["pages"][name]["p95_ms"]
                    stats["p95_vs_small"] = round(stats["p95_ms"] / small_p95, 2) if small_p95 else None
                if name != "healthz":
                    stats["missed"] = report.check(
                        name,
                        info["kind"],
                        stats,
                        info.get("queries_max"),
                        small_p95 if level["connections"] == 16 else None,
                    )
        name = f"results-{spec.replace(':', '-')}"
        with open(out / f"{name}.json", "w") as handle:
            json.dump(result, handle, indent=2)
        text = report.markdown(result)
        with open(out / f"{name}.md", "w") as handle:
            handle.write(text)
        shutil.copy(out / f"{name}.json", ROOT / "bench-results" / f"latest-{args.scale}.json")
        shutil.copy(out / f"{name}.md", ROOT / "bench-results" / f"latest-{args.scale}.md")
        print()
        print(text)
    log(f"done in {time.monotonic() - started:.0f} s; results in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
