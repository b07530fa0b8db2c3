"""The personal plan's length for the seed roadmap at several paces, against the bound.

Reads the seed README and its enrichment (no database), lays every topic out with
`apps.progress.plan.build_plan` from a Monday, and prints, per hours a week: the plan's weeks,
the bound (the sum over phases of ceil(phase hours / hours a week), the fewest weeks a plan can
have when a new phase starts a new week and no week is over its hours), and how many weeks are
under-filled (fewer hours than the week's budget).

    .venv/bin/python bench/plan_lengths.py [--budgets 3 5 6 8 10 15 20 40]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")

import django  # noqa: E402

django.setup()

from apps.progress.plan import PlanTopic, build_plan  # noqa: E402
from apps.roadmap.enrichment import parse_enrichment  # noqa: E402
from apps.roadmap.readme_parser import decode_readme, parse_readme  # noqa: E402

FIXTURES = ROOT / "fixtures"
MONDAY = date(2026, 11, 23)


def seed_topics() -> list[PlanTopic]:
    readme = parse_readme(decode_readme((FIXTURES / "ml-engineer-roadmap.md").read_bytes()))
    enrichment = parse_enrichment(
        (FIXTURES / "ml-engineer-enrichment.json").read_text(encoding="utf-8")
    )
    extra = {t.slug: t for t in enrichment.topics}
    return [
        PlanTopic(t.slug, extra[t.slug].phase, t.order, extra[t.slug].est_hours)
        for t in readme.topics
    ]


def bound(topics: list[PlanTopic], budget: int) -> int:
    phases: dict[int, int] = {}
    for topic in topics:
        phases[topic.phase] = phases.get(topic.phase, 0) + topic.est_hours
    return sum(math.ceil(hours / budget) for hours in phases.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=int, nargs="+", default=[3, 5, 6, 8, 10, 15, 20, 40])
    args = parser.parse_args()
    topics = seed_topics()
    print(f"{len(topics)} topics, {sum(t.est_hours for t in topics)} hours")
    print(f"{'h/week':>6} {'weeks':>6} {'bound':>6} {'under-filled':>13}")
    for budget in args.budgets:
        plan = build_plan(
            topics=topics,
            progress={},
            hours_per_week=budget,
            start_date=MONDAY,
            plan_anchor=MONDAY,
            today=MONDAY,
        )
        under = sum(week.hours < budget for week in plan.weeks)
        print(f"{budget:>6} {len(plan.weeks):>6} {bound(topics, budget):>6} {under:>13}")


if __name__ == "__main__":
    main()
