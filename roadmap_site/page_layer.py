"""Signed-in pages: the shared shell, rendered once per pages' version, and the learner's layer
filled into it for each request (issue 18).

A signed-in GET or HEAD of one of `LAYERED_PAGES` (not htmx, only the query parameters the page
reads) is answered here, in `process_view` (this middleware is the last of the stack, so every
other middleware has run, and runs on the way out, as for the view). The page's view renders
it once per pages' version (`pages_version()`, read first, as the public page cache does) and
theme, path and query, with `request.page_layer` set: the templates then leave a marker
(`{% layer_mark %}`, apps/roadmap/templatetags/roadmap_tags.py) wherever a piece is personal,
instead of rendering it: the header's links (with the sign-out form's CSRF token), the flash
messages, each topic's status label, the roadmap page's progress banner and map, the topic
page's progress panel, each resource's vote and tick controls and the moderators' edit links.
The shell is cut at its markers once and kept (the shared cache and this worker's memory).

Each request then costs, besides the session with its user and the version: one query for
the learner's enrolments (the header's "My plan" and this roadmap's) and one for their progress
rows in this roadmap with their check-in weeks (one UNION), sent together in one round trip
(`progress.selectors.enrollments_and_progress`), and joins the shell's pieces with the filled
markers. The topic page's layer reads the enrolments and one UNION of the learner's
marks on the topic (`community.selectors.topic_page_marks`) instead of the progress rows. Small
pieces are rendered from their own small templates (the same ones the
full render includes, so the two never differ); the map, the largest, is kept per learner under
a digest of everything it is drawn from, so it is rendered again only when that changes.

The shell holds nothing personal: its markers carry a random nonce, chosen per rendering, so no
content can forge one; the CSRF token is the request's own (`get_token`), and a shell whose
rendering set a cookie or used a CSP nonce is not kept (the page is then rendered whole).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.safestring import SafeString, mark_safe

from apps.accounts.roles import is_moderator
from apps.accounts.sessions import personal_version
from apps.community import selectors as community
from apps.moderation.context_processors import ModerationHeader
from apps.progress import effort
from apps.progress import selectors as progress
from apps.progress.models import Enrollment, TopicProgress
from apps.progress.pause import plan_today
from apps.progress.plan import week_number
from apps.progress.services import local_today
from apps.progress.templatetags.progress_tags import learner_state_context, map_context
from apps.roadmap import selectors as content
from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.services import pages_versions
from apps.roadmap.templatetags.roadmap_tags import THEME_COOKIE, THEMES

# Each page served with the layer, and the query parameters it reads (any other: the view).
LAYERED_PAGES: dict[str, frozenset[str]] = {
    "roadmap:roadmap": frozenset(),
    "roadmap:phase": frozenset(),
    "roadmap:section": frozenset({"page"}),
    "roadmap:topic": frozenset({"sort", "free"}),
}
# The pages whose context's `roadmap` is a `roadmap_page` (the map and banner are drawn from it).
TREE_PAGES = frozenset({"roadmap:roadmap"})
QUERY_MAX_LENGTH = 256
SHELL_SECONDS = 60 * 60
MAP_SECONDS = 60 * 60
OPEN, CLOSE = "\u27ea", "\u27eb"  # ⟪ ⟫ around a marker: nonce, kind, argument


class _Local:
    """A worker's own copies in front of the shared cache, bounded by entries (the keys hold
    the version, so a stale copy is never asked for again and just ages out)."""

    def __init__(self, entries: int) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._entries = entries
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_SHELLS = _Local(256)
_TREES = _Local(8)
# The topics a plan is reckoned over, per roadmap and content version: at 100x content (3,800
# topics) reading them as models took 0.2 s, the most of a dashboard's rendering.
_PLAN_TOPICS = _Local(4)
# Learners' pages, filled but for the per-request pieces (`personal_key`): this worker's only.
_PERSONAL = _Local(256)
_MAPS = _Local(256)
_BANNERS = _Local(1024)
_NAVS = _Local(1024)


def _scoped(key: str) -> str:
    # The shared cache's prefix too: tests give each test its own (tests/conftest.py).
    return f"{cache.key_prefix}:{key}"


class Shell:
    """`request.page_layer` while the shell renders: hands out the markers and keeps the
    page's roadmap (what the layer's queries are about)."""

    def __init__(self, content_version: int | None = None) -> None:
        self.nonce = secrets.token_hex(8)
        self.roadmap: Roadmap | None = None
        self.topic: TopicPage | None = None
        self.content_version = content_version

    def plan_topics(self, roadmap: Roadmap) -> list[Topic] | None:
        """The roadmap's plan topics kept for the content version read before this rendering
        began (`plan_topics`); None when the middleware read none."""
        if self.content_version is None:
            return None
        return plan_topics(roadmap=roadmap, content_version=self.content_version)

    def mark(self, kind: str, arg: str, context: Any) -> SafeString:
        if self.roadmap is None and isinstance(context.get("roadmap"), Roadmap):
            self.roadmap = context.get("roadmap")
        if kind in TOPIC_KINDS:
            self._keep_topic(kind, context)
        return mark_safe(f"{OPEN}{self.nonce}:{kind}:{arg}{CLOSE}")  # noqa: S308 (no input)

    def _keep_topic(self, kind: str, context: Any) -> None:
        """The topic page's content its pieces are drawn from, as small copies (kept with the
        shell in the shared cache)."""
        if self.topic is None:
            topic = context.get("topic")
            assert isinstance(topic, Topic)
            previous, following = progress.topic_neighbours(topic=topic)
            self.topic = TopicPage(_light_topic(topic), previous, following)
        if kind in ("vote", "tick", "resource_edit"):
            resource = context.get("resource")
            assert isinstance(resource, Resource)
            self.topic.resources.setdefault(resource.pk, _light_resource(resource))

    def cut(self, body: str) -> list[str]:
        """The shell's pieces: text, then kind, argument and text for each marker."""
        pattern = re.compile(f"{OPEN}{self.nonce}:(\\w+):([^{CLOSE}]*){CLOSE}")
        return pattern.split(body)


def _light_roadmap(roadmap: Roadmap) -> Roadmap:
    return Roadmap(pk=roadmap.pk, slug=roadmap.slug, title=roadmap.title)


def _light_topic(topic: Topic) -> Topic:
    """What the topic's pieces read of it: no prefetched resources, no section or phase."""
    light = Topic(
        pk=topic.pk,
        slug=topic.slug,
        title=topic.title,
        revision=topic.revision,
        est_hours=topic.est_hours,
        roadmap_id=topic.roadmap_id,
    )
    light.roadmap = _light_roadmap(topic.roadmap)
    return light


def _light_resource(resource: Resource) -> Resource:
    """What a resource's vote, tick and edit controls read of it."""
    light = Resource(
        pk=resource.pk,
        title=resource.title,
        upvotes=resource.upvotes,
        downvotes=resource.downvotes,
        submitted_by_id=resource.submitted_by_id,
        roadmap_id=resource.roadmap_id,
    )
    light.roadmap = _light_roadmap(resource.roadmap)
    return light


@dataclass
class TopicPage:
    """The topic page's content its personal pieces are drawn from: the topic, its neighbours
    in plan order (the panel's pager and "Done, on to the next topic") and its resources."""

    topic: Topic
    previous: Topic | None
    following: Topic | None
    resources: dict[int, Resource] = field(default_factory=dict)


@dataclass
class Stored:
    """A shell as kept: its pieces, the pages' version it was rendered at and its roadmap."""

    pieces: list[str]
    version: int
    roadmap_id: int | None
    content_version: int = 0  # the content part of `version`
    slug: str = ""
    topic: TopicPage | None = None
    # Pieces rendered for this shell, kept in this worker by what they are drawn from (the
    # controls on each resource: a few states each), with the CSRF token's slot in them.
    memo: dict[tuple[Any, ...], str] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "memo": {}}  # the shared cache's copy starts without them


@dataclass
class Layer:
    """The learner's part of one request: read in two queries, on first use."""

    request: HttpRequest
    stored: Stored
    _enrolments: list[Enrollment] | None = None
    _rows: dict[str, TopicProgress] | None = None
    _weeks: set[int] = field(default_factory=set)
    _marks: community.TopicPageMarks | None = None

    def marks(self) -> community.TopicPageMarks:
        """The topic page's: the learner's row on the topic, their votes and ticks on its
        resources, and what a derived time is worked out from (one UNION)."""
        if self._marks is None:
            assert self.stored.topic is not None
            topic = self.stored.topic.topic
            self._marks = community.topic_page_marks(
                user=self.user, topic_id=topic.pk, roadmap_id=topic.roadmap_id
            )
        return self._marks

    _header: ModerationHeader | None = None

    def header(self) -> ModerationHeader:
        """The header's moderation links and the moderators' edit links: one per request."""
        if self._header is None:
            self._header = ModerationHeader(self.request)
        return self._header

    def weeks(self) -> set[int]:
        self.rows()
        return self._weeks

    @property
    def user(self) -> Any:
        return self.request.user

    _token: str | None = None

    def token(self) -> str:
        """The request's CSRF token, once for all the pieces."""
        if self._token is None:
            self._token = get_token(self.request)
        return self._token

    # Whether the page shows the learner's progress rows (set by `fill` from the shell's kinds):
    # then the enrolments and the rows are read together, in one round trip.
    wants_rows: bool = False

    def enrolments(self) -> list[Enrollment]:
        if self._enrolments is None:
            if self.wants_rows and self._rows is None:
                self._read_both()
            else:
                self._enrolments = progress.enrollments_of(user=self.user)
        assert self._enrolments is not None
        return self._enrolments

    def _read_both(self) -> None:
        assert self.stored.roadmap_id is not None  # a page with a status has its roadmap
        self._enrolments, self._rows, self._weeks = progress.enrollments_and_progress(
            user=self.user, roadmap_id=self.stored.roadmap_id
        )

    def enrolment(self) -> Enrollment | None:
        wanted = self.stored.roadmap_id
        return next((e for e in self.enrolments() if e.roadmap_id == wanted), None)

    def rows(self) -> dict[str, TopicProgress]:
        """The learner's progress rows in this roadmap by topic slug; the check-in weeks
        (`weeks`) come in the same query."""
        if self._rows is None:
            if self._enrolments is None:
                self._read_both()
            else:
                assert self.stored.roadmap_id is not None
                self._rows, self._weeks = progress.progress_and_check_in_weeks(
                    user=self.user, roadmap_id=self.stored.roadmap_id
                )
        assert self._rows is not None
        return self._rows


# -- the pieces


# The sign-out form's token in a kept header: replaced by the request's own token.
_TOKEN_SLOT = f"{OPEN}csrf{CLOSE}"


def _fill_nav(layer: Layer, arg: str) -> str:
    """The header's links, kept per learner and what they show (their "My plan" week, their
    role and the queue's counts); the CSRF token is put in per request."""
    return _nav_slotted(layer, arg).replace(_TOKEN_SLOT, layer.token())


def _nav_slotted(layer: Layer, arg: str) -> str:
    """The header's links with the slot for the request's CSRF token."""
    latest = layer.enrolments()[0] if layer.enrolments() else None
    plan = None
    if latest is not None:
        plan = {
            "roadmap_slug": latest.roadmap.slug,
            "week": week_number(start_date=latest.start_date, day=local_today(layer.user)),
        }
    header = layer.header()
    counts = sorted(header.counts.items()) if header.is_moderator else []
    key = _scoped(f"layer-nav:{layer.user.pk}:{plan}:{header.is_moderator}:{counts}")
    body = _NAVS.get(key)
    if body is None:
        body = loader.render_to_string(
            "components/account_nav.html",
            {
                "request": layer.request,
                "user": layer.user,
                "moderation_header": header,
                "plan": plan,
                "csrf_token": _TOKEN_SLOT,
            },
        )
        _NAVS.put(key, body)
    return body


_EMPTY: dict[str, str] = {}


def _fill_messages(layer: Layer, arg: str) -> str:
    messages = get_messages(layer.request)
    if not messages:  # the usual case: what the template renders with none, kept
        empty = _EMPTY.get("messages")
        if empty is None:
            empty = _EMPTY["messages"] = loader.render_to_string(
                "components/flash_messages.html", {"messages": []}
            )
        return empty
    return loader.render_to_string("components/flash_messages.html", {"messages": messages})


_LABELS: dict[str, str] = {}


def _fill_status(layer: Layer, slug: str) -> str:
    row = layer.rows().get(slug)
    if row is None or not row.status:
        return ""
    label = _LABELS.get(row.status)
    if label is None:
        status = TopicProgress.Status(row.status)
        label = loader.render_to_string(
            "roadmap/_status_label.html", {"key": status.value, "label": status.label}
        )
        _LABELS[row.status] = label
    return label


def _tree_key(stored: Stored) -> str:
    return _scoped(f"layer-tree:{stored.version}:{stored.slug}")


def _tree(layer: Layer) -> Roadmap:
    """The page's `roadmap_page`, kept in this worker for the version the shell is of."""
    key = _tree_key(layer.stored)
    tree = _TREES.get(key)
    if tree is None:
        tree = content.roadmap_page(slug=layer.stored.slug)
        _TREES.put(key, tree)
    return tree


def plan_topics(*, roadmap: Roadmap, content_version: int) -> list[Topic]:
    """All the roadmap's active topics, what a plan and progress are reckoned over (the
    banner's, the dashboard's; a page's tree holds only what it shows), kept in this worker per
    pages' content version. The version must have been read before the rows: every write to
    the topics, phases or sections moves it (services.touch.pages_touch, and the database's
    triggers for any other path, roadmap migration 0010), so the rows kept under it are never
    older than it. Shared by the requests: each topic holds a small copy of its roadmap, and
    nobody changes them."""
    key = _scoped(f"plan-topics:{content_version}:{roadmap.pk}")
    topics = _PLAN_TOPICS.get(key)
    if topics is None:
        topics = content.roadmap_plan_topics(roadmap_id=roadmap.pk)
        light = _light_roadmap(roadmap)
        for topic in topics:
            topic.roadmap = light
        _PLAN_TOPICS.put(key, topics)
    return topics


def _plan_topics(layer: Layer) -> list[Topic]:
    tree = _tree(layer)
    return plan_topics(roadmap=tree, content_version=layer.stored.content_version)


def _progress_of(layer: Layer, topics: list[Topic]) -> dict[str, TopicProgress]:
    """The rows with their topics (the banner reads `row.topic`)."""
    by_slug = {t.slug: t for t in topics}
    rows = layer.rows()
    for slug, row in rows.items():
        if slug in by_slug:
            row.topic = by_slug[slug]
    return rows


def _fill_banner(layer: Layer, arg: str) -> str:
    """The progress banner, kept per learner under the map's digest, their check-in weeks and
    the day (the week's number and the streak)."""
    enrolment = layer.enrolment()
    today = local_today(layer.user).isoformat()
    weeks = sorted(layer.weeks())
    key = _scoped(f"layer-banner:{layer.user.pk}:{_map_digest(layer, enrolment)}:{today}:{weeks}")
    body = _BANNERS.get(key)
    if body is not None:
        return body
    tree = _tree(layer)
    data: dict[str, Any] = {"roadmap": tree, "request": layer.request, "enrolled": False}
    if enrolment is not None:
        enrolment.roadmap = tree
        topics = _plan_topics(layer)
        state = progress.learner_state_of(
            enrollment=enrolment,
            topics=topics,
            progress=_progress_of(layer, topics),
            weeks=layer.weeks(),
        )
        data.update(learner_state_context(state))
    body = loader.render_to_string("progress/_roadmap_banner.html", data)
    _BANNERS.put(key, body)
    return body


def _map_digest(layer: Layer, enrolment: Enrollment | None) -> str:
    """Everything the learner's map is drawn from, besides the content (the version)."""
    parts: list[str] = [str(layer.stored.version), str(layer.stored.roadmap_id)]
    if enrolment is not None:
        parts += [
            str(enrolment.pk),
            enrolment.updated_at.isoformat(),
            str(enrolment.hours_per_week),
            enrolment.start_date.isoformat(),
            enrolment.plan_anchor.isoformat(),
            plan_today(enrolment).isoformat(),
            str(layer.user.zone),
        ]
    for slug, row in sorted(layer.rows().items()):
        done = row.done_at.isoformat() if row.done_at else ""
        parts.append(f"{slug}={row.status}:{done}:{row.revision_done}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _fill_map(layer: Layer, arg: str) -> str:
    enrolment = layer.enrolment()
    key = _scoped(f"layer-map:{layer.user.pk}:{_map_digest(layer, enrolment)}")
    body = _MAPS.get(key) or cache.get(key)
    if isinstance(body, str):
        _MAPS.put(key, body)
        return body
    tree = _tree(layer)
    if enrolment is not None:
        enrolment.roadmap = tree
    the_map = progress.roadmap_map_of(
        roadmap=tree,
        enrollment=enrolment,
        progress=_progress_of(layer, content.map_topics(roadmap=tree) or []),
    )
    body = loader.render_to_string("progress/_map.html", map_context(the_map, tree, layer.request))
    cache.set(key, body, MAP_SECONDS)
    _MAPS.put(key, body)
    return body


def _fill_panel(layer: Layer, arg: str) -> str:
    """The topic's "My progress" panel (progress_tags.topic_progress_panel, from the layer's
    reads): the time prompt and "updated since you finished" read more only when shown."""
    page = layer.stored.topic
    assert page is not None
    marks = layer.marks()
    row = marks.row
    if row is not None:
        row.topic = page.topic
    enrolment = layer.enrolment()
    derived = None
    done = row is not None and row.status == TopicProgress.Status.DONE
    if done and row is not None and row.hours_taken is None and enrolment is not None:
        derived = effort.derived_hours_by_topic(
            user=layer.user,
            roadmap=page.topic.roadmap,
            rows=marks.done,
            enrollment=enrolment,
            check_in_hours=marks.check_in_hours,
        ).get(page.topic.pk)
    data = {
        "topic": page.topic,
        "request": layer.request,
        "previous": page.previous,
        "following": page.following,
        **effort.time_prompt_of(topic=page.topic, row=row, derived=derived),
        "changes": progress.changes_since_done(row=row, topic=page.topic),
        "signed_in": True,
        "enrolled": enrolment is not None,
        "csrf_token": layer.token(),
    }
    return loader.render_to_string("progress/_topic_panel.html", data)


def _resource(layer: Layer, arg: str) -> Resource:
    assert layer.stored.topic is not None
    return layer.stored.topic.resources[int(arg)]


def _kept(layer: Layer, key: tuple[Any, ...], template: str, data: dict[str, Any]) -> str:
    """A small piece rendered once per shell and `key` (everything it shows besides the
    shell's content and the request's path), then served with the request's CSRF token."""
    memo = layer.stored.memo
    body = memo.get(key)
    if body is None:
        data = {**data, "request": layer.request, "csrf_token": _TOKEN_SLOT}
        body = memo[key] = loader.render_to_string(template, data)
    return body.replace(_TOKEN_SLOT, layer.token())


def _fill_vote(layer: Layer, arg: str) -> str:
    resource = _resource(layer, arg)
    my_vote = layer.marks().votes.get(resource.pk)
    own = resource.submitted_by_id == layer.user.pk  # "Your suggestion", no arrows
    key = ("vote", resource.pk, my_vote, own)
    return _kept(layer, key, "community/_vote.html", {"resource": resource, "my_vote": my_vote})


def _fill_tick(layer: Layer, arg: str) -> str:
    resource = _resource(layer, arg)
    ticked = resource.pk in layer.marks().ticked
    key = ("tick", resource.pk, ticked)
    return _kept(layer, key, "progress/_tick.html", {"resource": resource, "ticked": ticked})


def _fill_topic_tools(layer: Layer, arg: str) -> str:
    if not layer.header().is_moderator:
        return ""
    assert layer.stored.topic is not None
    return loader.render_to_string("roadmap/_topic_tools.html", {"topic": layer.stored.topic.topic})


def _fill_resource_edit(layer: Layer, arg: str) -> str:
    if not layer.header().is_moderator:
        return ""
    return loader.render_to_string(
        "components/_resource_edit.html", {"resource": _resource(layer, arg)}
    )


def _fill_csrf(layer: Layer, arg: str) -> str:
    """A form's CSRF token (the dashboard's forms, roadmap_site/dashboard_layer.py): one masked
    token per request, as a whole render's `csrf_token` is."""
    return layer.token()


# The kinds drawn from the learner's progress rows in the page's roadmap (`Layer.rows`).
ROW_KINDS = frozenset({"status", "banner", "map"})
# The topic page's kinds: their marks keep the topic's content (`Shell._keep_topic`).
TOPIC_KINDS = frozenset({"panel", "vote", "tick", "topic_tools", "resource_edit"})

FILLS: dict[str, Callable[[Layer, str], str]] = {
    "nav": _fill_nav,
    "messages": _fill_messages,
    "status": _fill_status,
    "banner": _fill_banner,
    "map": _fill_map,
    "panel": _fill_panel,
    "vote": _fill_vote,
    "tick": _fill_tick,
    "topic_tools": _fill_topic_tools,
    "resource_edit": _fill_resource_edit,
    "csrf": _fill_csrf,
}


# The kinds filled for each request even in a learner's kept page: a flash message is shown
# once; a form's token is the request's own. "tokened": the header's links, kept with the slot
# for the token.
PER_REQUEST_FILLS: dict[str, Callable[[Layer, str], str]] = {
    "messages": _fill_messages,
    "csrf": _fill_csrf,
    "tokened": lambda layer, slotted: slotted.replace(_TOKEN_SLOT, layer.token()),
}
# The kinds a learner's kept page holds filled (`personal_key`): drawn from their enrolments,
# progress rows and check-ins, their settings and the day, and the shell.
PERSONAL_KINDS = frozenset({"nav", "status", "banner", "map"})


def personal_digest(request: HttpRequest, *page: str) -> str | None:
    """Where a learner's page is kept, filled but for `PER_REQUEST_FILLS`: a digest of what
    names the `page` (its versions and variant), the learner's personal version (read with the
    session: the database's triggers move it with every write to their enrolments, progress
    rows, check-ins, ticks and solutions), their "today" and every field of their user row.
    None when no page may be kept so: the session was not read by this site's store, or the
    learner is a moderator (the header's queue counts move without them)."""
    user: Any = request.user
    version = personal_version(user)
    if version is None or is_moderator(user):
        return None
    user = getattr(user, "_wrapped", user)  # the user itself, not the lazy object in front
    parts = [
        *page,
        str(version),
        local_today(user).isoformat(),
        *(f"{f.attname}={getattr(user, f.attname)}" for f in user._meta.concrete_fields),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return _scoped(f"layer-personal:{user.pk}:{digest}")


def personal_key(request: HttpRequest, shell_key: str, stored: Stored) -> str | None:
    """`personal_digest` of this shell's page; None too when the shell has other kinds than
    the personal ones (the topic page's controls read what the learner's version does not
    follow: their votes)."""
    if not set(stored.pieces[1::3]) <= PERSONAL_KINDS | set(PER_REQUEST_FILLS):
        return None
    return personal_digest(request, shell_key)


def fill_keeping(
    stored: Stored, request: HttpRequest, enrolments: list[Enrollment] | None = None
) -> tuple[str, list[str]]:
    """`fill`, and the learner's page to keep: the shell's pieces with every personal kind
    filled in, the per-request kinds left as markers."""
    layer = Layer(request, stored, _enrolments=enrolments)
    pieces = stored.pieces
    layer.wants_rows = not ROW_KINDS.isdisjoint(pieces[1::3])
    out, kept = [pieces[0]], [pieces[0]]
    for index in range(1, len(pieces), 3):
        kind, arg, text = pieces[index : index + 3]
        if kind in PER_REQUEST_FILLS:
            out.append(PER_REQUEST_FILLS[kind](layer, arg))
            kept += [kind, arg, text]
        elif kind == "nav":
            slotted = _nav_slotted(layer, arg)
            out.append(PER_REQUEST_FILLS["tokened"](layer, slotted))
            kept += ["tokened", slotted, text]
        else:
            filled = FILLS[kind](layer, arg)
            out.append(filled)
            kept[-1] += filled + text
        out.append(text)
    return "".join(out), kept


def fill_kept(kept: list[str], request: HttpRequest) -> str:
    """A learner's kept page with this request's pieces: no query."""
    layer = Layer(request, Stored(pieces=kept, version=0, roadmap_id=None))
    out = [kept[0]]
    for index in range(1, len(kept), 3):
        out.append(PER_REQUEST_FILLS[kept[index]](layer, kept[index + 1]))
        out.append(kept[index + 2])
    return "".join(out)


def fill(stored: Stored, request: HttpRequest, enrolments: list[Enrollment] | None = None) -> str:
    """The page: the shell's pieces and the filled markers. `enrolments`: the learner's, when
    the caller has read them already (`progress.enrollments_of`)."""
    layer = Layer(request, stored, _enrolments=enrolments)
    pieces = stored.pieces
    layer.wants_rows = not ROW_KINDS.isdisjoint(pieces[1::3])
    out = [pieces[0]]
    for index in range(1, len(pieces), 3):
        out.append(FILLS[pieces[index]](layer, pieces[index + 1]))
        out.append(pieces[index + 2])
    return "".join(out)


# -- the middleware


def render_marked(
    request: HttpRequest,
    view: Callable[..., HttpResponseBase],
    args: Any,
    kwargs: Any,
    *,
    content_version: int | None = None,
) -> tuple[Shell, list[str]] | HttpResponseBase:
    """The view's page rendered with markers and cut at them, with the `Shell` that handed them
    out (and the kept plan topics of `content_version`, read before); or, when that rendering
    is not one to keep (not a 200, a cookie set, a Cache-Control of its own, a CSP nonce used),
    the view's answer rendered again whole, without markers."""
    shell = Shell(content_version)
    request.page_layer = shell  # type: ignore[attr-defined]
    try:
        response = view(request, *args, **kwargs)
    finally:
        request.page_layer = None  # type: ignore[attr-defined]
    fit = (
        isinstance(response, HttpResponse)
        and response.status_code == 200
        and not response.cookies
        and not response.has_header("Cache-Control")
        and getattr(request, "_csp_nonce", None) is None
    )
    if not fit:
        return view(request, *args, **kwargs)
    assert isinstance(response, HttpResponse)
    body = response.content.decode(response.charset or settings.DEFAULT_CHARSET)
    return shell, shell.cut(body)


def _variant(request: HttpRequest, view_name: str) -> str | None:
    if request.method not in ("GET", "HEAD") or "HTTP_HX_REQUEST" in request.META:
        return None
    query = request.META.get("QUERY_STRING", "")
    if len(query) > QUERY_MAX_LENGTH or not set(request.GET) <= LAYERED_PAGES[view_name]:
        return None
    theme = request.COOKIES.get(THEME_COOKIE, "")
    theme = theme if theme in THEMES else ""
    parts = (request.scheme or "", request.get_host(), theme, request.path, query)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


class PageLayerMiddleware:
    """Serves `LAYERED_PAGES` to signed-in users as shell + layer (see the module's doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponseBase], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if match is None or match.view_name not in LAYERED_PAGES:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        variant = _variant(request, match.view_name)
        if variant is None:
            return None
        versions = pages_versions()
        version = sum(versions)
        key = _scoped(f"layer-shell:{version}:{variant}")
        stored = _SHELLS.get(key)
        if stored is None:
            stored = cache.get(key)
            if isinstance(stored, Stored):
                _SHELLS.put(key, stored)
            else:
                stored = self._render_shell(request, view, args, kwargs, versions)
                if isinstance(stored, HttpResponseBase):
                    return stored
                cache.set(key, stored, SHELL_SECONDS)
                _SHELLS.put(key, stored)
        personal = personal_key(request, key, stored)
        if personal is None:
            body = fill(stored, request)
        else:
            kept = _PERSONAL.get(personal)
            if kept is None:
                body, kept = fill_keeping(stored, request)
                _PERSONAL.put(personal, kept)
            else:
                body = fill_kept(kept, request)
        return HttpResponse(body, content_type="text/html; charset=utf-8")

    def _render_shell(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponseBase],
        args: Any,
        kwargs: Any,
        versions: tuple[int, int],
    ) -> Stored | HttpResponseBase:
        rendered = render_marked(request, view, args, kwargs)
        if isinstance(rendered, HttpResponseBase):
            return rendered
        shell, pieces = rendered
        stored = Stored(
            pieces=pieces,
            version=sum(versions),
            content_version=versions[0],
            roadmap_id=shell.roadmap.pk if shell.roadmap is not None else None,
            slug=shell.roadmap.slug if shell.roadmap is not None else "",
            topic=shell.topic,
        )
        match = request.resolver_match
        if shell.roadmap is not None and match is not None and match.view_name in TREE_PAGES:
            _TREES.put(_tree_key(stored), shell.roadmap)  # the view's own: read once
        return stored
