"""Turn load-generator output into the benchmark's figures: per page requests/s, p50/p95/p99,
errors, queries per request, and ratios to the baseline; then check the targets and write the
Markdown table. Pure functions (no Django, no I/O but the writers), so tests can pin them."""

import json
import math

# The targets of the benchmark issue. Ratios, not absolute times: they hold across machines.
TARGETS = {
    "read_rps_ratio": 0.15,  # a read page's throughput, at least this share of the baseline's
    "read_p95_ratio": 8.0,  # a read page's p95, at most this many times the baseline's
    "write_rps_ratio": 0.08,  # a write path's throughput, at least this share of the baseline's
    "max_queries": 12,  # SQL statements per request (transaction control not counted)
    "scale_p95_ratio": 1.5,  # a page's p95 at full scale, at most this many times its p95 when small
}


def percentile(values, p):
    """The p-th percentile (0–100) by linear interpolation between closest ranks, as numpy's
    default; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def parse_wrk(output):
    """The JSON line bench/wrk.lua prints at the end of a run (prefixed BENCH_JSON)."""
    for line in reversed(output.splitlines()):
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    raise ValueError("no BENCH_JSON line in wrk's output:\n" + output[-2000:])


def page_stats(raw):
    """Figures for one page from one wrk run: rps, latency in ms, and errors (every response that
    was not what a person should get, plus socket errors and time-outs)."""
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    errors = raw["bad"] + raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    if raw["requests"] == 0:
        errors = max(errors, 1)  # nothing answered within the run: never a quiet success
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p95_ms": round(latency["p95"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "errors": errors,
        "error_samples": raw.get("bad_samples", []),
    }


def add_ratios(pages, baseline):
    """Each page's throughput and p95 as ratios to the baseline's (same run, same concurrency)."""
    for stats in pages.values():
        stats["rps_ratio"] = round(stats["rps"] / baseline["rps"], 3) if baseline["rps"] else None
        stats["p95_ratio"] = round(stats["p95_ms"] / baseline["p95_ms"], 2) if baseline["p95_ms"] else None
        # What the throughput ratio would be if the machine were ours alone and the work CPU-bound:
        # the baseline's CPU per request (server + database) over the page's.
        if stats.get("cpu_ms_per_request") and baseline.get("cpu_ms_per_request"):
            stats["cpu_ratio"] = round(baseline["cpu_ms_per_request"] / stats["cpu_ms_per_request"], 3)
    return pages


def merge_baselines(first, last):
    """The baseline runs before and after a concurrency level, as one: requests added up, rates
    and latencies averaged (the spread between the two says how steady the machine was)."""
    merged = dict(first)
    merged["requests"] = first["requests"] + last["requests"]
    merged["errors"] = first["errors"] + last["errors"]
    for key in ["rps", "p50_ms", "p95_ms", "p99_ms"]:
        merged[key] = round((first[key] + last[key]) / 2, 2)
    merged["max_ms"] = max(first["max_ms"], last["max_ms"])
    merged["drift"] = round(abs(first["rps"] - last["rps"]) / max(first["rps"], last["rps"], 1e-9), 3)
    return merged


def check(page, kind, stats, queries, small_p95=None):
    """The targets this page misses (empty when it meets them all)."""
    missed = []
    if stats["errors"]:
        missed.append(f"{stats['errors']} errors")
    if kind == "read":
        if stats["rps_ratio"] is not None and stats["rps_ratio"] < TARGETS["read_rps_ratio"]:
            missed.append(f"throughput {stats['rps_ratio']:.2f} < {TARGETS['read_rps_ratio']} of baseline")
        if stats["p95_ratio"] is not None and stats["p95_ratio"] > TARGETS["read_p95_ratio"]:
            missed.append(f"p95 {stats['p95_ratio']:.1f}× > {TARGETS['read_p95_ratio']:.0f}× baseline")
    if kind == "write" and stats["rps_ratio"] is not None and stats["rps_ratio"] < TARGETS["write_rps_ratio"]:
        missed.append(f"throughput {stats['rps_ratio']:.2f} < {TARGETS['write_rps_ratio']} of baseline")
    if queries is not None and queries > TARGETS["max_queries"]:
        missed.append(f"{queries} queries > {TARGETS['max_queries']}")
    if small_p95 and stats["p95_ms"] / small_p95 > TARGETS["scale_p95_ratio"]:
        missed.append(f"p95 {stats['p95_ms'] / small_p95:.2f}× small scale's")
    return missed


def _fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(result):
    """The results as Markdown: one table per concurrency level, then notes."""
    meta = result["meta"]
    out = [
        f"### {meta['scale']} scale: {meta['data']}",
        "",
        f"Machine: {meta['machine']}. Server: {meta['server']}. Load generator: {meta['generator']}.",
        "",
    ]
    for level in result["levels"]:
        base = level["baseline"]
        out += [
            f"**{level['connections']} connections**, {meta['duration']} s per page "
            f"(baseline before/after drift {base.get('drift', 0):.0%}; machine load during the level "
            f"{level['load']['mean']:.1f}, CPU: server {level['cpu']['server']:.0%}, "
            f"PostgreSQL {level['cpu']['postgres']:.0%}, load generator {level['cpu']['generator']:.0%}, "
            f"other processes {level['cpu']['other']:.0%} of the machine)",
            "",
            "| page | req/s | p50 ms | p95 ms | p99 ms | errors | queries | CPU ms/req | × baseline req/s "
            "| × baseline by CPU | × baseline p95 | p95 vs small | targets |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name, stats in level["pages"].items():
            info = result["pages"][name]
            missed = stats.get("missed", [])
            if info.get("kind") in ("baseline", "reference"):
                verdict = "baseline" if name == "healthz" else "yardstick (no target)"
            else:
                verdict = "met" if not missed else "; ".join(missed)
            out.append(
                f"| {info['label']} | {_fmt(stats['rps'])} | {_fmt(stats['p50_ms'], 2)} | "
                f"{_fmt(stats['p95_ms'], 2)} | {_fmt(stats['p99_ms'], 2)} | {stats['errors']} | "
                f"{_fmt(info.get('queries_max'))} | {_fmt(stats.get('cpu_ms_per_request'), 2)} | "
                f"{_fmt(stats.get('rps_ratio'), 2)} | {_fmt(stats.get('cpu_ratio'), 2)} | "
                f"{_fmt(stats.get('p95_ratio'), 2)} | {_fmt(stats.get('p95_vs_small'), 2)} | {verdict} |"
            )
        out.append("")
    skipped = [
        f"{info['label']}: {info['skipped']}" for info in result["pages"].values() if "skipped" in info
    ]
    if skipped:
        out += ["Skipped: " + "; ".join(skipped) + ".", ""]
    out.append(
        "Queries: SQL statements per request (most seen in a sample of each page's requests; "
        "BEGIN/COMMIT not counted). Write + share counts each POST as a request. CPU ms/req: CPU time "
        "of gunicorn and of the PostgreSQL backends serving the benchmark's database, per request; "
        "× baseline by CPU: the baseline's CPU per request over the page's — the throughput ratio the "
        "page would reach on a machine of its own if CPU-bound, and far less disturbed than req/s "
        "when other work shares the machine."
    )
    return "\n".join(out) + "\n"


def summary_table(results, connections=16):
    """One compact table for the README: each page at one concurrency, at every scale given
    (e.g. small and full), with the ratios to that run's baseline."""
    scales = [r for r in results if r]
    head = "| page | queries |"
    rule = "|---|---:|"
    for result in scales:
        scale = result["meta"]["scale"]
        head += f" {scale}: req/s | p95 ms | × baseline req/s | × baseline by CPU | × baseline p95 |"
        rule += "---:|---:|---:|---:|---:|"
    if len(scales) == 2:
        head += " p95 full ÷ small | CPU/request full ÷ small |"
        rule += "---:|---:|"
    rows = [head, rule]
    levels = [next(x for x in r["levels"] if x["connections"] == connections) for r in scales]
    for name, info in scales[0]["pages"].items():
        if "skipped" in info:
            continue
        row = f"| {info['label']} | {_fmt(info.get('queries_max'))} |"
        stats = [level["pages"].get(name) for level in levels]
        for s in stats:
            if s is None:
                row += " – | – | – | – | – |"
            else:
                row += (
                    f" {_fmt(s['rps'])} | {_fmt(s['p95_ms'], 1)} | {_fmt(s.get('rps_ratio'), 2)} | "
                    f"{_fmt(s.get('cpu_ratio'), 2)} | {_fmt(s.get('p95_ratio'), 1)} |"
                )
        if len(scales) == 2:
            both = all(stats)
            row += f" {_fmt(stats[1]['p95_ms'] / stats[0]['p95_ms'], 2) if both else '–'} |"
            cpu = [s.get("cpu_ms_per_request") if s else None for s in stats]
            row += f" {_fmt(cpu[1] / cpu[0], 2) if all(cpu) else '–'} |"
        rows.append(row)
    return "\n".join(rows) + "\n"
