"""The page verdicts (soft_404, signin_required, paywalled, archived, newer_version), against
loopback servers, with the pages that must NOT be flagged beside each rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.linkcheck.checker import CheckerConfig, Verdict
from apps.linkcheck.models import LinkCheck
from apps.linkcheck.verdicts import (
    NOT_FOUND_PHRASES,
    Page,
    fold,
    judge_page,
    names_not_found,
    newer_version,
)
from bench.linkcheck_server import Reply, Site, redirect
from tests.factories import ResourceFactory
from tests.support.linkcheck import FAST, check, methods

HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(title: str = "A page", body: str = "<p>Hello</p>", head: str = "") -> Reply:
    text = f"<!doctype html><html><head><title>{title}</title>{head}</head><body>{body}</body>"
    return Reply(200, HTML, (text + "</html>").encode())


def verdicts(site: Site, *paths: str, config: CheckerConfig = FAST) -> dict[str, Verdict]:
    results = check([site.url(path) for path in paths], config=config)
    return {path: result.verdict for path, result in zip(paths, results, strict=True)}


# soft_404 ----------------------------------------------------------------------------------


def test_soft_404_from_the_title_or_first_heading_in_five_languages(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/en": page("Page not found | Example"),
            "/de": page("Beispiel", "<h1>Seite nicht gefunden</h1>"),
            "/fr": page("Page introuvable"),
            "/es": page("Ejemplo", "<h2>¡Ups! Página no encontrada</h2>"),
            "/pt": page("Página não encontrada - Exemplo"),
            "/bare": page("404"),
        },
    )
    serve(site)
    found = verdicts(site, "/en", "/de", "/fr", "/es", "/pt", "/bare")
    assert set(found.values()) == {Verdict.SOFT_404}


def test_a_real_page_mentioning_404_is_ok(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/http-errors": page(
                "HTTP status codes explained",
                "<h1>What a 404 means</h1><p>A 404 Not Found answer says the page is gone."
                " Page not found pages should answer 404, not 200.</p>",
            ),
            "/bash": page("Fixing 'command not found' in bash"),
        },
    )
    serve(site)
    assert verdicts(site, "/http-errors", "/bash") == {
        "/http-errors": Verdict.OK,
        "/bash": Verdict.OK,
    }


def test_soft_404_redirect_of_a_deep_link_to_the_root_is_its_own_verdict(serve) -> None:
    site = Site("127.0.0.2", {"/": page("Home"), "/course/42": redirect("/", 302)})
    serve(site)
    result = check([site.url("/course/42")])[0]
    assert (result.verdict, result.error) == (
        Verdict.SOFT_404,
        f"soft 404: redirected to {site.url('/')}",
    )


# signin_required ---------------------------------------------------------------------------

LOGIN_FORM = '<h1>Sign in</h1><form><input name="u"><input type="password" name="p"></form>'


def test_redirect_to_a_login_page_is_signin_required(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/notes/7": redirect("/accounts/login/?next=/notes/7", 302),
            "/accounts/login/": page("Welcome"),
            "/wiki/8": redirect("/users/sign_in", 302),
            "/users/sign_in": page("Welcome"),
        },
    )
    serve(site)
    assert set(verdicts(site, "/notes/7", "/wiki/8").values()) == {Verdict.SIGNIN_REQUIRED}


def test_a_sign_in_form_served_in_place_is_signin_required(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/en": page("Example", LOGIN_FORM),
            "/de": page("Anmelden", '<input type="password">'),
            "/pt": page("Entrar - Exemplo", "<input type='password'>"),
        },
    )
    serve(site)
    assert set(verdicts(site, "/en", "/de", "/pt").values()) == {Verdict.SIGNIN_REQUIRED}


def test_a_page_with_a_sign_in_link_or_a_tutorial_about_logins_is_ok(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/course": page(
                "Free ML course", '<nav><a href="/login">Log in</a></nav><h1>Lesson 1</h1>'
            ),
            "/tutorial": page("Building a login page in Django", "<h1>Login pages</h1><p>...</p>"),
        },
    )
    serve(site)
    assert set(verdicts(site, "/course", "/tutorial").values()) == {Verdict.OK}


# paywalled ---------------------------------------------------------------------------------


def test_redirect_to_pricing_checkout_or_subscribe_is_paywalled(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/course/a": redirect("/pricing", 302),
            "/course/b": redirect("/checkout/cart?item=b", 302),
            "/book": redirect("/de/abonnieren", 302),
            "/pricing": page(),
            "/checkout/cart": page(),
            "/de/abonnieren": page(),
        },
    )
    serve(site)
    found = verdicts(site, "/course/a", "/course/b", "/book")
    assert set(found.values()) == {Verdict.PAYWALLED}


def test_enrolment_is_paywalled_only_with_a_price(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/paid": redirect("/paid/enroll", 302),
            "/paid/enroll": page("Enroll", "<p>Enroll now for $49.00</p>"),
            "/free": redirect("/free/enroll", 302),
            "/free/enroll": page("Enroll", "<p>Enroll for free</p>"),
        },
    )
    serve(site)
    assert verdicts(site, "/paid", "/free") == {"/paid": Verdict.PAYWALLED, "/free": Verdict.OK}


def test_paywall_markers_on_the_page(serve) -> None:
    not_free = (
        '<script type="application/ld+json">{"@type": "Article",'
        ' "isAccessibleForFree": "False"}</script>'
    )
    site = Site(
        "127.0.0.2",
        {
            "/ld": page("An article", "<p>Teaser</p>", head=not_free),
            "/fr": page("Réservé aux abonnés"),
            "/es": page("Artículo", "<h1>Solo para suscriptores</h1>"),
        },
    )
    serve(site)
    assert set(verdicts(site, "/ld", "/fr", "/es").values()) == {Verdict.PAYWALLED}


def test_a_free_course_with_a_pricing_link_in_its_menu_is_ok(serve) -> None:
    menu = (
        '<nav><a href="/pricing">Pricing</a> <a href="/checkout">Buy</a>'
        ' <a href="/subscribe">Subscribe</a></nav>'
    )
    site = Site(
        "127.0.0.2",
        {
            "/course": page("Intro to ML: free course", menu + "<h1>Week 1</h1><p>$0</p>"),
            "/free": page(
                "Free",
                head='<script type="application/ld+json">{"isAccessibleForFree": true}</script>',
            ),
        },
    )
    serve(site)
    assert set(verdicts(site, "/course", "/free").values()) == {Verdict.OK}


# archived ----------------------------------------------------------------------------------


def test_an_archived_repository_banner(serve) -> None:
    banner = (
        '<div class="flash">This repository has been archived by the owner. It is now'
        ' read-only.</div><article class="markdown-body"><h1>tool</h1></article>'
    )
    site = Site(
        "127.0.0.2",
        {
            "/owner/tool": page("owner/tool", banner),
            "/owner/werkzeug": page("owner/werkzeug", "<p>Dieses Repository wurde archiviert.</p>"),
        },
    )
    serve(site)
    assert set(verdicts(site, "/owner/tool", "/owner/werkzeug").values()) == {Verdict.ARCHIVED}


def test_a_readme_mentioning_archives_is_ok(serve) -> None:
    readme = (
        '<div id="readme"><article class="markdown-body"><h1>backup</h1><p>Creates a tar'
        " archive. Note: this repository has been archived upstream? No: this project is"
        " archived nightly to S3.</p></article></div>"
    )
    site = Site(
        "127.0.0.2",
        {
            "/owner/backup": page("owner/backup", readme),
            "/archived": page("Archive", "<p>This project is archived.</p>"),  # no owner/name
        },
    )
    serve(site)
    assert set(verdicts(site, "/owner/backup", "/archived").values()) == {Verdict.OK}


# newer_version -----------------------------------------------------------------------------


def test_an_arxiv_style_version_with_a_newer_one_named(serve) -> None:
    history = "<h2>Submission history</h2><p>[v1] Mon, 1 Jan 2024</p><p>[v2] Tue, 2 Apr 2024</p>"
    site = Site(
        "127.0.0.2",
        {
            "/abs/2106.09685v1": page("[2106.09685v1] A paper", history),
            "/abs/2106.09685v2": page("[2106.09685v2] A paper", history),
            "/abs/2106.09685": page("[2106.09685] A paper", history),
        },
    )
    serve(site)
    results = check(
        [site.url(p) for p in ("/abs/2106.09685v1", "/abs/2106.09685v2", "/abs/2106.09685")]
    )
    assert [r.verdict for r in results] == [Verdict.NEWER_VERSION, Verdict.OK, Verdict.OK]
    assert results[0].error == "newer version: v2 exists"


# how pages are read -------------------------------------------------------------------------


def test_only_html_is_fetched_with_get_and_the_body_read_stays_bounded(serve) -> None:
    huge = page("Intro", "<p>" + "x" * 200_000 + "</p><h1>Page not found</h1>")
    site = Site(
        "127.0.0.2",
        {"/data.csv": Reply(200, {"Content-Type": "text/csv"}, b"404,not found"), "/big": huge},
    )
    serve(site)
    config = CheckerConfig(**{**FAST.__dict__, "body_limit": 4096})
    assert verdicts(site, "/data.csv", "/big", config=config) == {
        "/data.csv": Verdict.OK,
        "/big": Verdict.OK,  # the heading lies beyond the bound: never read
    }
    assert methods(site, "/data.csv") == ["HEAD"]
    assert methods(site, "/big") == ["HEAD", "GET"]


def test_without_read_pages_no_get_follows_a_good_head(serve) -> None:
    site = Site("127.0.0.2", {"/gone": page("Page not found")})
    serve(site)
    config = CheckerConfig(**{**FAST.__dict__, "read_pages": False})
    assert verdicts(site, "/gone", config=config) == {"/gone": Verdict.OK}
    assert methods(site, "/gone") == ["HEAD"]


def test_the_guard_still_refuses_a_redirect_to_a_private_address(serve) -> None:
    from apps.linkcheck.guard import Guard

    site = Site("127.0.0.2", {"/x": redirect("http://10.0.0.1/login", 302)})
    serve(site)
    guard = Guard(allow_hosts=[site.authority])
    result = check([site.url("/x")], guard=guard)[0]
    assert (result.verdict, result.error) == (Verdict.BROKEN, "address not allowed")


# the rules are total -----------------------------------------------------------------------


@pytest.mark.parametrize("phrase", NOT_FOUND_PHRASES)
def test_every_not_found_phrase_is_a_not_found_title(phrase: str) -> None:
    assert names_not_found(fold(phrase.title()))
    assert not names_not_found(fold(f"How we wrote the '{phrase}' page of our site"))


def test_newer_version_needs_a_versioned_url() -> None:
    body = Page.read("2106.09685v3 [v3]")
    assert newer_version("https://arxiv.example/abs/2106.09685", body) is None
    assert newer_version("https://arxiv.example/abs/2106.09685v2", body) == 3
    assert newer_version("https://arxiv.example/abs/2106.09685v3", body) is None


html_like = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            [
                "<title>",
                "</title>",
                "<h1>",
                "</h1>",
                "<script>",
                "<article",
                "<!--",
                "-->",
                '<input type="password">',
                "isAccessibleForFree",
                '"false"',
                "[v9]",
                "404",
                "Page not found",
                "\x00",
                "&#x110000;",
                "&amp;",
                "é",
                "\ud7ff",
            ]
        ),
    ),
    max_size=40,
).map("".join)
urls = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda path: "https://site.example/" + path,
        st.text(alphabet="abcdefv0123456789./-_?=&%[]", max_size=50),
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    url=urls,
    final=urls,
    body=st.one_of(html_like, st.binary(max_size=300)),
    charset=st.one_of(st.none(), st.sampled_from(["utf-8", "latin-1", "no-such", "utf-16"])),
    hops=st.lists(st.sampled_from([301, 302, 307, 308]), max_size=3),
)
def test_the_page_rules_never_raise(url, final, body, charset, hops) -> None:
    judged = judge_page(url, final, hops, Page.read(body, charset))
    assert judged is None or judged[0] in Verdict


@pytest.mark.django_db
@pytest.mark.parametrize("verdict", list(Verdict))
def test_a_row_holds_every_verdict_of_the_checker_and_nothing_else(verdict) -> None:
    """The field's choices are the checker's verdicts (verdicts.CHOICES): each one validates,
    and a word the checker never says does not."""
    resource = ResourceFactory(url="https://verdicts.example/page")
    check = LinkCheck(resource=resource, url=resource.url, verdict=verdict)
    check.full_clean()
    check.verdict = "mostly_fine"
    with pytest.raises(ValidationError) as refused:
        check.full_clean()
    assert set(refused.value.message_dict) == {"verdict"}
