"""axe-core on every main page, in the light and the dark colour scheme.

axe is the vendored copy under static/vendor/axe-core/, loaded into each page as a same-origin
<script src> (which the site's CSP allows as 'self'), so the policy stays exactly as it ships:
no bypass, and the console watch still reports any CSP violation. A page passes with no
violation of serious or critical impact; every count, minor and moderate too, is printed and
saved to test-artifacts/e2e/axe-report.json.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.community.models import Report
from apps.community.services import report_create, resource_submit
from apps.moderation.services.submissions import submission_approve
from apps.progress.services import enrollment_put, topic_progress_put
from apps.roadmap.models import Phase, Resource, Roadmap, Topic
from apps.roadmap.templatetags.roadmap_tags import THEME_COOKIE
from tests.support.browser import ARTIFACTS, Tab, make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
AXE_URL = "/static/vendor/axe-core/axe.min.js"
FAILING = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")


def community_content(roadmap: Roadmap, topic: Topic) -> Resource:
    """A pending suggestion, an approved one with a vote and an open report, and a log entry."""
    sam = make_user("sam")
    moderator = make_user("mona", moderator=True)
    resource_submit(
        user=sam,
        roadmap=roadmap,
        topic=topic,
        url="https://pending.example/notes",
        title="Lecture notes waiting for review",
        kind=Resource.Kind.values[0],
    )
    approved = resource_submit(
        user=sam,
        roadmap=roadmap,
        topic=topic,
        url="https://docs.example/guide",
        title="A gentle guide to gradient descent",
        kind=Resource.Kind.values[0],
        description="Short, with *pictures*.",
    )
    approved = submission_approve(actor=moderator, resource=approved, note="Clear and correct.")
    report_create(user=sam, resource=approved, reason=Report.Reason.values[0], note="Check it")
    return approved


def axe_check(tab: Tab, label: str) -> dict[str, Any]:
    page = tab.page
    page.add_script_tag(url=AXE_URL)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    # axe ran its rules on this page (a page that failed to load axe would pass nothing).
    assert len(results["passes"]) >= 10, results["passes"]
    tab.shot(label)
    violations = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [" ".join(map(str, node["target"])) for node in violation["nodes"]],
        }
        for violation in results["violations"]
    ]
    counts = Counter(violation["impact"] for violation in violations)
    return {
        "page": label,
        "url": page.url.split("://", 1)[1].split("/", 1)[1],
        "counts": {impact: counts.get(impact, 0) for impact in IMPACTS},
        "violations": violations,
    }


def visit(tab: Tab, path: str) -> None:
    tab.go(path)
    expect(tab.page.get_by_role("heading", level=1)).to_have_count(1)


def open_in_scheme(open_tab, name: str, scheme: str, base_url: str) -> Tab:
    """A context in the scheme: the system's preference, or the site's own theme switch."""
    if scheme == "dark by the theme switch":
        tab = open_tab(name, color_scheme="light")
        tab.page.context.add_cookies([{"name": THEME_COOKIE, "value": "dark", "url": base_url}])
        return tab
    return open_tab(name, color_scheme=scheme)


@pytest.mark.parametrize("scheme", ["light", "dark", "dark by the theme switch"])
def test_main_pages_have_no_serious_violations(seed, open_tab, live_server, scheme: str) -> None:
    topic = Topic.objects.active().filter(roadmap=seed).order_by("order").first()
    phase = Phase.objects.filter(roadmap=seed).order_by("number").first()
    approved = community_content(seed, topic)
    pending = Resource.objects.get(status=Resource.Status.PENDING)
    checked: list[dict[str, Any]] = []

    anonymous = open_in_scheme(open_tab, f"{scheme}-anonymous", scheme, live_server.url)
    for label, path in [
        ("home", "/"),
        ("roadmap", f"/roadmaps/{SLUG}/"),
        ("topic", f"/roadmaps/{SLUG}/topics/{topic.slug}/"),
        ("phase", f"/roadmaps/{SLUG}/phases/{phase.slug}/"),
        ("projects", f"/roadmaps/{SLUG}/projects/"),
        ("faq", f"/roadmaps/{SLUG}/faq/"),
        ("outcomes", f"/roadmaps/{SLUG}/outcomes/"),
        ("moderation log", "/modlog/"),
        ("sign in", "/accounts/login/"),
        ("password reset", "/accounts/password/reset/"),
        ("sign up", "/accounts/signup/"),
    ]:
        visit(anonymous, path)
        if scheme == "dark by the theme switch":
            expect(anonymous.page.locator("html")).to_have_attribute("data-theme", "dark")
        checked.append(axe_check(anonymous, label))
    # The same form with its error summary and the errors at each field.
    anonymous.page.get_by_role("button", name="Create account").click()
    expect(anonymous.page).to_have_title("Error: Create an account · ML Engineer Roadmap")
    checked.append(axe_check(anonymous, "sign up with errors"))

    moderator = open_in_scheme(open_tab, f"{scheme}-signed-in", scheme, live_server.url)
    sign_in(moderator, "mona")
    visit(moderator, f"/roadmaps/{SLUG}/enrol/")
    checked.append(axe_check(moderator, "enrol"))
    mona = User.objects.get(username="mona")
    enrollment_put(user=mona, roadmap=seed, hours_per_week=5)
    topic_progress_put(user=mona, topic=topic, status="done", note_md="Keep going.")
    for label, path in [
        ("dashboard", f"/roadmaps/{SLUG}/dashboard/"),
        ("roadmap, enrolled", f"/roadmaps/{SLUG}/"),
        ("topic, signed in", f"/roadmaps/{SLUG}/topics/{topic.slug}/"),
        ("change plan", f"/roadmaps/{SLUG}/enrol/"),
        ("submit", f"/roadmaps/{SLUG}/submit/?topic={topic.slug}"),
        ("report a resource", f"/resources/{approved.pk}/report/"),
        ("my submissions", "/my/submissions/"),
        ("settings: profile", "/settings/"),
        ("settings: email preferences", "/settings/email/"),
        ("settings: API tokens", "/settings/tokens/"),
        ("settings: your data", "/settings/data/"),
        ("settings: delete account", "/settings/delete/"),
        ("settings: email addresses", "/accounts/email/"),
        ("settings: password", "/accounts/password/change/"),
        ("moderation queue: submissions", "/moderation/?tab=submissions"),
        ("moderation queue: reports", "/moderation/?tab=reports"),
        ("moderation queue: broken links", "/moderation/?tab=broken"),
        ("moderation: approve", f"/moderation/submissions/{pending.pk}/approve/"),
        ("moderation: edit resource", f"/moderation/resources/{approved.pk}/"),
    ]:
        visit(moderator, path)
        checked.append(axe_check(moderator, label))
    moderator.go(f"/roadmaps/{SLUG}/submit/")
    moderator.expect_error_status(f"/roadmaps/{SLUG}/submit/", 400)
    moderator.page.get_by_role("button", name="Suggest this resource").click()
    expect(moderator.page).to_have_title("Error: Suggest a resource · ML Engineer Roadmap")
    checked.append(axe_check(moderator, "submit with errors"))

    report_path = ARTIFACTS / "axe-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    report[scheme] = checked
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\naxe-core on {len(checked)} pages, {scheme} scheme (critical/serious/moderate/minor):")
    for row in checked:
        print(f"  {row['page']:<34} " + " ".join(str(row["counts"][i]) for i in IMPACTS))

    failing = [
        f"{row['page']} ({row['url']}): {violation['impact']} {violation['rule']}: "
        f"{violation['help']} at {violation['nodes'][:3]}"
        for row in checked
        for violation in row["violations"]
        if violation["impact"] in FAILING
    ]
    assert not failing, "\n".join(failing)


def test_the_check_finds_a_planted_violation(seed, open_tab) -> None:
    """The harness itself: an image without text and a nameless field are caught as such."""
    tab = open_tab("planted")
    visit(tab, "/")
    tab.page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/img/favicon.svg";
            const input = document.createElement("input");
            document.querySelector("main").append(img, input);
        }"""
    )
    row = axe_check(tab, "home with planted violations")
    rules = {violation["rule"]: violation["impact"] for violation in row["violations"]}
    assert rules.get("image-alt") == "critical", rules
    assert rules.get("label") == "critical", rules
