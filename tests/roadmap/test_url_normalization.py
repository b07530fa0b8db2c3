import pytest

from apps.roadmap.url_normalization import normalize_url

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
