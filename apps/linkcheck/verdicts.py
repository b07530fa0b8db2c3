"""What a 2xx answer really says: the page rules behind soft_404, signin_required, paywalled,
archived and newer_version (docs/linkcheck.md, "Pages that answer 200").

Pure functions of the URL asked for, the URL the chain ended on, the redirect codes on the
way and at most the checker's body limit of the final page. No I/O, no Django; every
function here is total: any text in, a verdict or None out, never an exception.

The phrase lists are deliberately small and exact (en, de, fr, es, pt). They are matched only
where a site states what a page *is* (its <title> and first heading, or a repository's
banner above its README), never in running text, so an article about HTTP 404, a course
with "Pricing" in its menu or a README that mentions an archive is left alone.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class Verdict(StrEnum):
    OK = "ok"
    REDIRECTED = "redirected"
    BROKEN = "broken"
    BLOCKED = "blocked"
    ERROR = "error"
    SOFT_404 = "soft_404"
    SIGNIN_REQUIRED = "signin_required"
    PAYWALLED = "paywalled"
    ARCHIVED = "archived"
    NEWER_VERSION = "newer_version"


# What a LinkCheck row may hold (its field's choices): the verdicts above, one list.
CHOICES = [(v.value, v.name.replace("_", " ").title()) for v in Verdict]

# Verdicts of a page that answered, but not with what the link promised.
PAGE_VERDICTS = frozenset(
    {
        Verdict.SOFT_404,
        Verdict.SIGNIN_REQUIRED,
        Verdict.PAYWALLED,
        Verdict.ARCHIVED,
        Verdict.NEWER_VERSION,
    }
)

# Verdicts that count as a dead link: health turns failing, `check_urls` exits non-zero.
FAILING_VERDICTS = frozenset({Verdict.BROKEN, Verdict.ERROR, Verdict.SOFT_404})

# ---------------------------------------------------------------------------------------------
# Phrase lists: compared after lower-casing, accent folding and collapsing white space.

NOT_FOUND_PHRASES = (
    # en
    "page not found",
    "404 not found",
    "not found",
    "page does not exist",
    "page doesn't exist",
    "page has been removed",
    "page was removed",
    "page no longer exists",
    "no longer available",
    "this page isn't available",
    # de
    "seite nicht gefunden",
    "seite existiert nicht",
    "nicht gefunden",
    "seite wurde entfernt",
    # fr
    "page introuvable",
    "page non trouvee",
    "page inexistante",
    "cette page n'existe pas",
    # es
    "pagina no encontrada",
    "no se encontro la pagina",
    "la pagina no existe",
    # pt
    "pagina nao encontrada",
    "a pagina nao existe",
    "pagina removida",
)
# A not-found name is one of the phrases on its own, in one part of a title ("Page not found |
# Example"), after any "404" or interjection before it: a title that only *mentions* the
# words ("Fixing 'command not found' in bash") is an ordinary page.
_NAME_PARTS = re.compile(r"\s+[|\-\u2013\u2014\u00b7:\u00bb/]\s+|\s*[|\u00b7\u00bb]\s*")
_NAME_PREFIX = re.compile(
    r"^[\s\u00a1\u00bf]*(?:(?:error|erreur|fehler|erro|http)\s*)?(?:404\b)?[\s.!:,\-]*"
    r"(?:(?:oops|sorry|uh oh|hoppla|oups|desole|lo sentimos|ups|desculpe)[\s.!:,\-]*)?"
)
_NAME_SUFFIX = re.compile(r"[\s.!:,\-]*(?:\(?404\)?)?[\s.!]*$")

SIGNIN_PHRASES = (
    # en
    "sign in",
    "sign-in",
    "signin",
    "log in",
    "login",
    "log-in",
    # de
    "anmelden",
    "anmeldung",
    "einloggen",
    # fr
    "connexion",
    "se connecter",
    "identifiez-vous",
    # es
    "iniciar sesion",
    "inicia sesion",
    "acceder",
    # pt
    "entrar",
    "fazer login",
    "iniciar sessao",
)

PAYWALL_PHRASES = (
    # en
    "subscribe to continue",
    "subscribe to read",
    "subscribers only",
    "for subscribers only",
    "members only",
    "premium content",
    "purchase to access",
    "buy this course",
    # de
    "nur fur abonnenten",
    "jetzt abonnieren",
    # fr
    "reserve aux abonnes",
    "abonnez-vous pour lire",
    # es
    "solo para suscriptores",
    "exclusivo para suscriptores",
    # pt
    "exclusivo para assinantes",
    "conteudo exclusivo para assinantes",
    "assine para continuar",
)

ARCHIVED_PHRASES = (
    # en
    "this repository has been archived",
    "this repository was archived",
    "this repository is archived",
    "this project has been archived",
    "this project was archived",
    "this project is archived",
    "it is now read-only",
    "this repository is read-only",
    # de
    "dieses repository wurde archiviert",
    "dieses projekt wurde archiviert",
    # fr
    "ce depot a ete archive",
    "ce projet a ete archive",
    # es
    "este repositorio ha sido archivado",
    "este repositorio fue archivado",
    "este repositorio esta archivado",
    # pt
    "este repositorio foi arquivado",
    "este repositorio esta arquivado",
)

# ---------------------------------------------------------------------------------------------
# Path markers of the page a redirect landed on

_SEGMENT_END = r"(?:/|\.[a-z]{2,5}|$)"
SIGNIN_PATH = re.compile(
    r"(?:^|/)(?:log[-_]?in|sign[-_]?in|signin|sign_in|auth|sso|session/new|sessions/new"
    r"|accounts/login|anmelden|connexion|iniciar[-_]sesion|entrar)" + _SEGMENT_END,
    re.IGNORECASE,
)
PAYWALL_PATH = re.compile(
    r"(?:^|/)(?:pricing|prices|plans|checkout|subscribe|subscription|subscriptions|purchase"
    r"|buy|paywall|premium|upgrade|cart|preise|abonnieren|abonnement|tarifs|precios"
    r"|suscribirse|suscripcion|assinatura|assinar|precos)" + _SEGMENT_END,
    re.IGNORECASE,
)
# An enrolment page is a paywall only when it shows a price.
ENROL_PATH = re.compile(r"(?:^|/)(?:enrol|enroll|enrollment|enrolment)" + _SEGMENT_END, re.I)
_PRICE = re.compile(r"(?:[$€£]|R\$|US\$)\s?\d+(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?\s?(?:€|EUR|USD)")

_NOT_FOUND_PATH = re.compile(
    r"(?:^|/)(?:404|not[-_]?found|page[-_]?not[-_]?found|error[-_/]?404|404[-_]?error)"
    r"(?:\.[a-z]+)?/?$",
    re.IGNORECASE,
)
_NOT_FOUND_QUERY = re.compile(r"(?:^|&)(?:error|status|code)=404(?:&|$)", re.IGNORECASE)
_ROOT_PATH = re.compile(r"/?(?:index\.[a-z]+)?", re.IGNORECASE)

# arXiv-style identifiers with a version: /abs/2106.09685v2, /pdf/hep-th/9901001v1
_VERSIONED = re.compile(
    r"/(?:abs|pdf|html)/(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})v(?P<version>\d{1,3})"
    r"(?:\.pdf)?/?$",
    re.IGNORECASE,
)

# ---------------------------------------------------------------------------------------------
# Reading a page (bounded input, regular expressions only: nothing here can raise)

_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h([1-3])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_DROPPED = re.compile(
    r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_PASSWORD_INPUT = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password\b", re.IGNORECASE)
_NOT_FREE = re.compile(r"[\"']isAccessibleForFree[\"']\s*:\s*[\"']?false\b", re.IGNORECASE)
# Where a repository page's README begins: nothing after it is the site speaking.
_README_START = re.compile(
    r"<article\b|\bid\s*=\s*[\"']readme[\"']|\bclass\s*=\s*[\"'][^\"']*\bmarkdown-body\b",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Lower case, accents removed, entities decoded, white space collapsed."""
    text = html.unescape(text)
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACE.sub(" ", bare.replace("\u2019", "'")).strip().lower()


def _text(fragment: str) -> str:
    return fold(_TAG.sub(" ", fragment))


@dataclass(frozen=True)
class Page:
    """What the rules read of a page: its title, its first heading and its raw text."""

    title: str
    heading: str
    markup: str  # without scripts, styles and comments (JSON-LD is kept apart)
    raw: str

    @classmethod
    def read(cls, body: bytes | str, charset: str | None = None) -> Page:
        if isinstance(body, bytes):
            try:
                raw = body.decode(charset or "utf-8", errors="replace")
            except LookupError:  # a charset Python does not know
                raw = body.decode("utf-8", errors="replace")
        else:
            raw = body
        markup = _DROPPED.sub(" ", raw)
        title = _TITLE.search(markup)
        heading = _HEADING.search(markup)
        return cls(
            title=_text(title.group(1)) if title else "",
            heading=_text(heading.group(2)) if heading else "",
            markup=markup,
            raw=raw,
        )

    @property
    def names(self) -> tuple[str, ...]:
        """What the page calls itself: the title and the first heading, when present."""
        return tuple(name for name in (self.title, self.heading) if name)


def _says(name: str, phrases: tuple[str, ...]) -> bool:
    """Whether `name` contains one of the phrases as whole words."""
    for phrase in phrases:
        start = name.find(phrase)
        while start != -1:
            end = start + len(phrase)
            before = name[start - 1] if start else " "
            after = name[end] if end < len(name) else " "
            if not before.isalnum() and not after.isalnum():
                return True
            start = name.find(phrase, start + 1)
    return False


# ---------------------------------------------------------------------------------------------
# The rules


def _site(host: str | None) -> str:
    host = (host or "").lower().rstrip(".")
    return host.removeprefix("www.")


def _is_root(path: str) -> bool:
    return bool(_ROOT_PATH.fullmatch(path))


def _split(url: str) -> tuple[str, str, str]:
    try:
        parts = urlsplit(url)
        return parts.hostname or "", parts.path, parts.query
    except ValueError:
        return "", "", ""


def is_soft_404(original: str, final: str) -> bool:
    """A redirect that lands on a not-found page, or on its site's root from a deeper page."""
    start_host, start_path, start_query = _split(original)
    end_host, end_path, end_query = _split(final)
    if (start_path, start_query) == (end_path, end_query):
        return False  # only the scheme or host changed
    if _NOT_FOUND_PATH.search(end_path) or _NOT_FOUND_QUERY.search(end_query):
        return True
    return _site(start_host) == _site(end_host) and _is_root(end_path) and not _is_root(start_path)


def names_not_found(name: str) -> bool:
    """Whether a title or heading is a not-found page's: "404", "Error 404 - Page not found",
    "Seite nicht gefunden | Example"; not one that merely uses the words."""
    for part in _NAME_PARTS.split(name):
        bare = _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", part.strip(), count=1), count=1)
        if bare in NOT_FOUND_PHRASES:
            return True
        if not bare and re.search(r"\b404\b", part):
            return True
    return False


def says_not_found(page: Page) -> bool:
    return any(names_not_found(name) for name in page.names)


def is_signin_page(page: Page) -> bool:
    """A sign-in form: a password field, and a title or heading that says sign in."""
    return bool(_PASSWORD_INPUT.search(page.markup)) and any(
        _says(name, SIGNIN_PHRASES) for name in page.names
    )


def is_paywall_page(page: Page) -> bool:
    """Structured data saying the content is not free, or a title or heading saying pay."""
    return bool(_NOT_FREE.search(page.raw)) or any(
        _says(name, PAYWALL_PHRASES) for name in page.names
    )


def is_archived_repository(url: str, page: Page) -> bool:
    """A repository page (owner/name at least) whose banner, above its README, says archived."""
    _, path, _ = _split(url)
    if len([segment for segment in path.split("/") if segment]) < 2:
        return False
    readme = _README_START.search(page.markup)
    banner = page.markup[: readme.start()] if readme else page.markup
    return _says(_text(banner), ARCHIVED_PHRASES)


def newer_version(url: str, page: Page) -> int | None:
    """The newest version the page names of the arXiv-style `idvN` the URL asks for."""
    _, path, _ = _split(url)
    asked = _VERSIONED.search(path)
    if asked is None:
        return None
    current = int(asked.group("version"))
    pattern = re.compile(re.escape(asked.group("id")) + r"v(\d{1,3})\b", re.IGNORECASE)
    named = [int(match) for match in pattern.findall(page.raw)]
    named += [int(match) for match in re.findall(r"\[v(\d{1,3})\]", page.raw)]
    newest = max(named, default=current)
    return newest if newest > current else None


def _moved_to(original: str, final: str, marker: re.Pattern[str]) -> bool:
    """Redirected onto a page whose path has `marker`, from a URL whose path had not."""
    _, start_path, _ = _split(original)
    _, end_path, _ = _split(final)
    return (
        start_path != end_path and bool(marker.search(end_path)) and not marker.search(start_path)
    )


def judge_page(
    url: str, final_url: str, hops: list[int], page: Page | None
) -> tuple[Verdict, str] | None:
    """The page verdict of a 2xx answer with its reason, or None when the page is what it
    seems. `page` is None when the body was not read (not HTML, or HEAD only)."""
    redirected = bool(hops)
    if redirected and is_soft_404(url, final_url):
        return Verdict.SOFT_404, f"soft 404: redirected to {final_url}"
    if page is not None and says_not_found(page):
        return Verdict.SOFT_404, "soft 404: the page says it was not found"
    if redirected and _moved_to(url, final_url, SIGNIN_PATH):
        return Verdict.SIGNIN_REQUIRED, f"sign-in required: redirected to {final_url}"
    if page is not None and is_signin_page(page):
        return Verdict.SIGNIN_REQUIRED, "sign-in required: the page is a sign-in form"
    if redirected and _moved_to(url, final_url, PAYWALL_PATH):
        return Verdict.PAYWALLED, f"paywalled: redirected to {final_url}"
    if (
        redirected
        and page is not None
        and _moved_to(url, final_url, ENROL_PATH)
        and _PRICE.search(_text(page.markup))
    ):
        return Verdict.PAYWALLED, f"paywalled: redirected to a priced enrolment at {final_url}"
    if page is not None and is_paywall_page(page):
        return Verdict.PAYWALLED, "paywalled: the page is marked as not free"
    if page is not None and is_archived_repository(final_url, page):
        return Verdict.ARCHIVED, "archived: the repository says it is archived"
    if page is not None and (newest := newer_version(final_url, page)) is not None:
        return Verdict.NEWER_VERSION, f"newer version: v{newest} exists"
    return None
