import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.roadmap.url_normalization import URLProblem, normalize_url, read_http_url
from tests.support.url_strategies import url_shaped

CASES = [
    # (what was submitted, its normal form)
    ("HTTPS://Example.EXAMPLE/Path", "https://example.example/Path"),
    ("https://example.example", "https://example.example/"),
    ("https://example.example:443/a", "https://example.example/a"),
    ("http://example.example:80/a", "http://example.example/a"),
    ("http://example.example:8080/a", "http://example.example:8080/a"),
    ("https://example.example:80/a", "https://example.example:80/a"),
    ("https://example.example/a#section-2", "https://example.example/a"),
    ("https://user:secret@example.example/a", "https://example.example/a"),
    ("https://example.example/a?utm_source=chatgpt.com", "https://example.example/a"),
    (
        "https://example.example/a?b=2&utm_medium=x&a=1&UTM_Campaign=y",
        "https://example.example/a?b=2&a=1",
    ),
    ("https://example.example/a?fbclid=abc&gclid=def", "https://example.example/a"),
    ("https://example.example/a?mc_cid=1&mc_eid=2&id=7", "https://example.example/a?id=7"),
    ("https://example.example/a?ref=hn&ref_src=twsrc", "https://example.example/a"),
    ("https://example.example/a?reference=keep", "https://example.example/a?reference=keep"),
    ("https://example.example/a?z=1&a=2", "https://example.example/a?z=1&a=2"),
    ("https://example.example/a?q=&&x=1", "https://example.example/a?q=&x=1"),
    ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
    ("https://example.example/%7euser/%2fpath", "https://example.example/~user/%2Fpath"),
    ("https://example.example./a", "https://example.example/a"),
    ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
    ("  https://example.example/a  ", "https://example.example/a"),
    ("https://example.example/a/", "https://example.example/a/"),
    ("https://example.example/a b", "https://example.example/a%20b"),
    ("https://example.example?x=1", "https://example.example/?x=1"),
    # Dot segments go (RFC 3986, 5.2.4), escaped dots too; `..` never climbs above the root.
    ("https://example.example/./x", "https://example.example/x"),
    ("https://example.example/a/../x", "https://example.example/x"),
    ("https://example.example/a/b/..", "https://example.example/a/"),
    ("https://example.example/a/.", "https://example.example/a/"),
    ("https://example.example/../../x", "https://example.example/x"),
    ("https://example.example/a/%2E%2e/x", "https://example.example/x"),
    ("https://example.example/a/..x/.y", "https://example.example/a/..x/.y"),
    # Runs of slashes in the path are one slash (the table's decision; docs/linkcheck.md).
    ("https://example.example//x", "https://example.example/x"),
    ("https://example.example/a//b///c/", "https://example.example/a/b/c/"),
    ("https://example.example/a%2F%2Fb", "https://example.example/a%2F%2Fb"),
    # Hosts are mapped by UTS-46 before anything else: full-width digits and dots are ASCII.
    ("https://ＥＸＡＭＰＬＥ．example/a", "https://example.example/a"),
    ("http://９３.１８４.２１５.１４/", "http://93.184.215.14/"),
    ("https://example.example:/a", "https://example.example/a"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_normal_form(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_the_seed_link_with_and_without_its_tracking_parameter_normalise_alike() -> None:
    base = "https://www.qwak.com/post/whats-the-difference-between-machine-learning-researchers-vs-engineers"
    assert normalize_url(f"{base}?utm_source=chatgpt.com") == normalize_url(base)


def test_normalising_is_idempotent() -> None:
    for url, _ in CASES:
        once = normalize_url(url)
        assert normalize_url(once) == once


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.example/file",
        "javascript:alert(1)",
        "example.example/a",
        "https://:80/",
        "https://example.example:99999/",
    ],
)
def test_refuses_what_is_not_an_absolute_http_url(url: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://256.1.1.1/", "four numbers from 0 to 255"),
        ("http://1.2.3.4.5/", "four numbers from 0 to 255"),
        ("http://08.1/", "four numbers from 0 to 255"),
        ("http://0x7f.1/", "four numbers from 0 to 255"),
        ("http://[::zz]/", "cannot be read"),
        ("http://[fe80::1%25eth0]/", "host is not valid"),
        ("http://exa mple.example/", "host is not valid"),
        ("http://a..b.example/", "host is not valid"),
        ("http://-a.example/", "host is not valid"),
        ("http://xn--zz.example/", "host is not valid"),
        ("http://" + "a" * 64 + ".example/", "longer than 63"),
        ("http://" + "a." * 127 + "example/", "longer than 253"),
        ("http://example.example:0/", "port"),
        ("http://example.example:+80/", "port"),
        ("http://example.example:８０/", "port"),
        ("http://example.example:65536/", "port"),
        ("http://./", "must name a host"),
    ],
)
def test_awkward_hosts_and_ports_are_refused_with_a_sentence(url: str, words: str) -> None:
    with pytest.raises(URLProblem) as problem:
        normalize_url(url)
    assert words in str(problem.value)


def test_a_full_width_loopback_address_reads_as_the_ascii_one() -> None:
    read = read_http_url("http://１２７．０．０．１:8080/")
    assert (read.host, read.numeric) == ("127.0.0.1", True)
    assert read_http_url("http://１２７.０.０.１/").host == "127.0.0.1"


def _verdict(url: str) -> str | None:
    """The normal form, or None for a refusal; anything but URLProblem escapes the test."""
    try:
        return normalize_url(url)
    except URLProblem as problem:
        assert str(problem).endswith(".")  # a sentence, not a traceback
        return None


@given(st.text())
def test_any_text_gets_a_normal_form_or_a_sentence(url: str) -> None:
    _verdict(url)


@given(url_shaped())
def test_url_shaped_text_gets_a_normal_form_or_a_sentence(url: str) -> None:
    normal = _verdict(url)
    if normal is not None:
        assert normalize_url(normal) == normal  # and the normal form is stable


@pytest.mark.django_db
def test_the_migration_renormalises_stored_urls_without_making_duplicates(roadmap) -> None:
    from importlib import import_module

    from django.apps import apps

    from apps.roadmap.models import Resource
    from tests.factories import resource

    migration = import_module("apps.roadmap.migrations.0003_renormalize_resource_urls")
    # Rows stored under the old normal form (the factory would store the new one).
    dotted = resource(roadmap, None, url="https://old.example/1")
    slashes = resource(roadmap, None, url="https://old.example/2")
    twin = resource(roadmap, None, url="https://old.example/y")
    kept = resource(roadmap, None, url="https://old.example/z")
    Resource.objects.filter(pk=dotted.pk).update(normalized_url="https://old.example/a/../x")
    Resource.objects.filter(pk=slashes.pk).update(normalized_url="https://old.example//y")
    migration.renormalize(apps, None)
    stored = dict(Resource.objects.values_list("pk", "normalized_url"))
    assert stored[dotted.pk] == "https://old.example/x"
    assert stored[twin.pk] == "https://old.example/y"
    assert stored[slashes.pk] == "https://old.example//y"  # left for a moderator to merge
    assert stored[kept.pk] == "https://old.example/z"


def test_probable_twins_are_the_other_scheme_and_the_www_spelling() -> None:
    from apps.roadmap.url_normalization import probable_twins

    assert probable_twins("https://blog.example/a?x=1") == [
        "http://blog.example/a?x=1",
        "http://www.blog.example/a?x=1",
        "https://www.blog.example/a?x=1",
    ]
    assert probable_twins("http://www.blog.example:8080/") == [
        "http://blog.example:8080/",
        "https://blog.example:8080/",
        "https://www.blog.example:8080/",
    ]
