"""Hypothesis strategies for URL-shaped text: scheme://userinfo@host:port/path?query#frag built
from awkward pieces (unicode digits and dots, brackets, percent escapes, IDNA edge cases), each
of which has made some URL parser raise."""

from __future__ import annotations

from hypothesis import strategies as st

AWKWARD = st.sampled_from(
    ["", ".", "..", "[", "]", "[::", "::zz]", "%", "%zz", "%2e", "%00", "@", ":", "::", "#",
     "?", "/", "//", "\\", " ", "１２７", "０", "．", "。", "０x7f", "xn--", "xn--zz", "ß",
     "ﬁ", "\u200d", "\u0301", "-", "_", "a" * 64, "08", "256", "4294967296", "0x", "٣",
     "\x00", "\ufffd", "\U0001f600", "＠", "／", "：", "ǅ", "Ⅻ", "example", "blog.example"]
)  # fmt: skip


@st.composite
def url_shaped(draw: st.DrawFn) -> str:
    def piece() -> str:
        return "".join(draw(st.lists(AWKWARD | st.text(max_size=3), max_size=4)))

    scheme = draw(st.sampled_from(["http", "https", "HTTP", "hTtPs", "ftp", ""]))
    userinfo = draw(st.sampled_from(["", f"{piece()}@"]))
    shape = draw(st.sampled_from(["name", "brackets", "numbers"]))
    if shape == "name":
        host = piece()
    elif shape == "brackets":
        host = f"[{piece()}:{piece()}]"
    else:
        host = ".".join(draw(st.lists(st.integers(-1, 70000).map(str) | AWKWARD, max_size=6)))
    port = draw(st.sampled_from(["", ":", ":65535", ":0", ":99999", ":８０", ":x"]))
    return f"{scheme}://{userinfo}{host}{port}/{piece()}?{piece()}#{piece()}"
