"""The benchmark's arithmetic and report: percentiles, ratios to the baseline, the targets, the
Markdown table. No timing here — the figures are made up."""

import pytest

from bench import report
from bench.faults import recovery
from bench.targets import sql_count


def wrk_raw(requests=1000, seconds=10, p50=5000, p95=9000, p99=20000, bad=0, timeouts=0):
    return {
        "requests": requests,
        "duration_us": seconds * 1_000_000,
        "bytes": 0,
        "good": requests - bad,
        "bad": bad,
        "connect_errors": 0,
        "read_errors": 0,
        "write_errors": 0,
        "status_errors": bad,
        "timeouts": timeouts,
        "latency_us": {"p50": p50, "p90": p95, "p95": p95, "p99": p99, "max": p99 * 2, "mean": p50},
        "bad_samples": ["500 "] if bad else [],
    }


def test_percentile_interpolates_between_closest_ranks():
    assert report.percentile([], 50) is None
    assert report.percentile([7], 95) == 7
    assert report.percentile([1, 2, 3, 4], 50) == 2.5
    assert report.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert report.percentile([10, 1, 5], 100) == 10


def test_it_reads_the_json_line_of_the_lua_script():
    output = 'Running 10s test @ http://127.0.0.1:8799\nBENCH_JSON {"requests": 3}\n'
    assert report.parse_wrk(output) == {"requests": 3}
    with pytest.raises(ValueError, match="no BENCH_JSON"):
        report.parse_wrk("wrk crashed")


def test_page_stats_count_bad_responses_and_socket_errors_as_errors():
    stats = report.page_stats(wrk_raw(requests=500, seconds=5, bad=3, timeouts=2))
    assert stats["rps"] == 100.0
    assert stats["p50_ms"] == 5.0 and stats["p95_ms"] == 9.0 and stats["p99_ms"] == 20.0
    assert stats["errors"] == 5
    assert report.page_stats(wrk_raw(requests=0))["errors"] == 1  # no answer at all is an error


def test_ratios_are_to_the_baseline_of_the_same_level():
    baseline = report.page_stats(wrk_raw(requests=20000, p95=4000))
    page = report.page_stats(wrk_raw(requests=4000, p95=20000))
    pages = report.add_ratios({"healthz": baseline, "yardstick": dict(page), "thread": page}, baseline)
    assert pages["thread"]["rps_ratio"] == 0.2
    assert pages["thread"]["p95_ratio"] == 5.0
    assert pages["healthz"]["rps_ratio"] == 1.0


def test_baselines_before_and_after_are_averaged_and_their_drift_reported():
    first = report.page_stats(wrk_raw(requests=20000, p95=4000))
    last = report.page_stats(wrk_raw(requests=18000, p95=6000))
    merged = report.merge_baselines(first, last)
    assert merged["rps"] == 1900.0
    assert merged["p95_ms"] == 5.0
    assert merged["requests"] == 38000
    assert merged["drift"] == 0.1


def test_targets_name_each_miss():
    stats = {"rps_ratio": 0.1, "p95_ratio": 9.0, "errors": 2, "p95_ms": 30.0}
    missed = report.check("thread", "read", stats, queries=14, small_p95=10.0)
    assert missed == [
        "2 errors",
        "throughput 0.10 < 0.15 of baseline",
        "p95 9.0× > 8× baseline",
        "14 queries > 12",
        "p95 3.00× small scale's",
    ]
    fine = {"rps_ratio": 0.3, "p95_ratio": 3.0, "errors": 0, "p95_ms": 12.0}
    assert report.check("thread", "read", fine, queries=12, small_p95=10.0) == []
    # Writes have their own, lower throughput bar and no p95 bar.
    write = {"rps_ratio": 0.09, "p95_ratio": 20.0, "errors": 0, "p95_ms": 80.0}
    assert report.check("write", "write", write, queries=9) == []


def test_markdown_has_one_row_per_page_with_its_verdict():
    baseline = report.page_stats(wrk_raw(requests=20000, p95=4000))
    page = report.page_stats(wrk_raw(requests=1000, p95=40000))
    baseline["cpu_ms_per_request"], page["cpu_ms_per_request"] = 0.5, 2.0
    pages = report.add_ratios({"healthz": baseline, "yardstick": dict(page), "thread": page}, baseline)
    pages["thread"]["missed"] = report.check("thread", "read", pages["thread"], 9)
    cpu = {"busy": 0.9, "server": 0.6, "postgres": 0.1, "generator": 0.05, "other": 0.15}
    result = {
        "meta": {
            "scale": "small",
            "data": "1 entry",
            "machine": "2 cores",
            "server": "gunicorn sync:2",
            "generator": "wrk",
            "duration": 10,
        },
        "pages": {
            "healthz": {"label": "baseline", "kind": "baseline", "queries_max": 1},
            "yardstick": {"label": "yardstick", "kind": "reference", "queries_max": 3},
            "thread": {"label": "thread", "kind": "read", "queries_max": 9},
            "search": {"label": "search", "skipped": "no /search/ URL yet"},
        },
        "levels": [
            {"connections": 16, "baseline": baseline, "pages": pages, "cpu": cpu, "load": {"mean": 1.2}}
        ],
    }
    text = report.markdown(result)
    assert "| baseline | 2000.0 |" in text
    assert "| thread | 100.0 | 5.00 | 40.00 |" in text
    assert "| 0.05 | 0.25 | 10.00 |" in text  # × baseline req/s, by CPU, p95
    assert "throughput 0.05 < 0.15 of baseline; p95 10.0× > 8× baseline" in text
    assert "Skipped: search: no /search/ URL yet." in text
    assert "| yardstick (no target) |" in text  # measured for comparison, never judged


def test_transaction_control_is_not_counted_as_queries():
    captured = [{"sql": s} for s in ["SELECT 1", "BEGIN", "UPDATE x", "COMMIT", "SAVEPOINT s1", " select 2"]]
    assert sql_count(captured) == 3


def test_recovery_is_measured_from_the_fault_to_the_first_success_after_the_last_failure():
    def req(start, end, ok):
        return {"start": start, "end": end, "ok": ok, "outcome": 302 if ok else 500}

    records = [
        req(9.0, 9.5, True),
        req(9.8, 10.2, False),
        req(10.2, 11.0, False),
        req(11.1, 11.4, True),
        req(11.2, 11.3, True),
        req(20.0, 20.4, False),
    ]
    assert recovery(records, 10.0, 20.0) == {"failed": 2, "recovery_s": 1.3, "outcomes": ["500"]}
    assert recovery(records, 15.0, 19.0) == {"failed": 0, "recovery_s": 0.0}
    # No success after the failures: not recovered.
    assert recovery(records, 19.5, 30.0)["recovery_s"] is None


def test_summary_table_puts_scales_side_by_side():
    def result(scale, page_p95):
        base = report.page_stats(wrk_raw(requests=20000, p95=4000))
        page = report.page_stats(wrk_raw(requests=2000, p95=page_p95))
        pages = report.add_ratios({"healthz": base, "thread": page}, base)
        return {
            "meta": {"scale": scale},
            "pages": {
                "healthz": {"label": "baseline", "queries_max": 1},
                "thread": {"label": "thread", "queries_max": 9},
                "search": {"label": "search", "skipped": "not yet"},
            },
            "levels": [{"connections": 16, "pages": pages}],
        }

    text = report.summary_table([result("small", 20000), result("full", 25000)])
    assert "| page | queries | small: req/s |" in text
    assert "| thread | 9 | 200.0 | 20.0 | 0.10 | – | 5.0 | 200.0 | 25.0 | 0.10 | – | 6.2 | 1.25 | – |" in text
    assert "search" not in text
