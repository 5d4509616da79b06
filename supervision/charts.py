"""The balance of the four tasks over time, as a small server-rendered SVG (no chart library)."""

from reflections.models import Task

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 200, 32, 28, 10


def task_balance(weeks, counts):
    """Stacked bars, one per week (oldest on the left). `counts` maps (week, task) → entries.

    Returns geometry for the template: bars with their segments, axis labels, and the same
    numbers as rows for the table that is the chart's text alternative."""
    ordered = sorted(weeks)
    totals = [sum(counts.get((week, task), 0) for task in Task) for week in ordered]
    peak = max(totals + [1])
    plot_height = HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = (WIDTH - PAD_LEFT) / max(len(ordered), 1)
    bar_width = slot * 0.6
    bars, rows = [], []
    for index, week in enumerate(ordered):
        x = PAD_LEFT + index * slot + (slot - bar_width) / 2
        y = HEIGHT - PAD_BOTTOM
        segments = []
        for task in Task:
            count = counts.get((week, task), 0)
            if count:
                height = plot_height * count / peak
                y -= height
                segments.append(
                    {
                        "task": task,
                        "count": count,
                        "x": round(x, 1),
                        "y": round(y, 1),
                        "width": round(bar_width, 1),
                        "height": round(height, 1),
                    }
                )
        bars.append(
            {
                "week": week,
                "segments": segments,
                "label_x": round(x + bar_width / 2, 1),
                "label_y": HEIGHT - PAD_BOTTOM + 16,
            }
        )
        rows.append(
            {"week": week, "counts": [counts.get((week, task), 0) for task in Task], "total": totals[index]}
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": HEIGHT - PAD_BOTTOM,
        "plot_left": PAD_LEFT,
        "peak": peak,
        "peak_y": PAD_TOP,
        "bars": bars,
        "rows": rows,
        "tasks": list(Task),
    }
