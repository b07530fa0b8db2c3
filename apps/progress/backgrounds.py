"""What each background already knows: the topics an enrolment pre-marks as skipped.

One documented mapping per roadmap, by topic slug. The skips are flagged as automatic, and the
learner undoes any of them with one click (setting the topic's status back). Topics a roadmap
does not have are ignored, so the mapping survives content edits.
"""

from __future__ import annotations

BACKGROUND_SKIPS: dict[str, dict[str, tuple[str, ...]]] = {
    "ml-engineer": {
        # Builds and ships software already: the infrastructure and delivery basics.
        "software_engineer": (
            "infrastructure-basics",
            "api-development",
            "containerization",
            "version-control",
            "testing",
            "cicd-pipelines",
        ),
        # Trains and evaluates models already: the modelling basics.
        "data_scientist": (
            "algorithms",
            "frameworks",
            "hyperparameter-tuning",
            "evaluation-metrics",
        ),
        # Knows the algorithms and the research side of the trade.
        "researcher": (
            "ml-in-research-vs-production",
            "algorithms",
            "frameworks",
            "evaluation-metrics",
            "explainable-ai",
        ),
        "new_to_ml": (),
    }
}


def skipped_by_background(*, roadmap_slug: str, background: str) -> frozenset[str]:
    return frozenset(BACKGROUND_SKIPS.get(roadmap_slug, {}).get(background, ()))
