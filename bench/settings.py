"""Production settings plus the benchmark's yardstick page (bench.reference)."""

from ips_journal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.reference"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]  # noqa: F405
