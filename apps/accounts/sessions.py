"""The session engine (SESSION_ENGINE = "apps.accounts.sessions"): Django's database sessions,
stored in UserSession so that the signed-in user's id is an indexed column; and the signed-in
user read in the same query as their session.

Django reads a signed-in request's session in one query and its user in another, each built
by the ORM. Here the session's row comes with its user's row (a LEFT JOIN on that indexed
column, written as plain SQL: it runs before every signed-in page) and whether the user is in
the moderators' group (`roles.is_moderator` then asks nothing more), and
`AuthenticationMiddleware` takes the user from it. What decides whether the request is
signed in stays Django's: the session's user id and backend, the backend's own
`user_can_authenticate` (an inactive user is signed out), and the session's hash of the
password, checked by `auth.get_user`'s rules (`_verified`). A backend whose `get_user` is not
ModelBackend's, or a session this store did not read, goes through `auth.get_user` itself.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection
from django.db.models import Field
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from apps.accounts.roles import MODERATORS_GROUP
from roadmap_site.prepared import one_row

if TYPE_CHECKING:
    from apps.accounts.models import User, UserSession

# What `loaded_user` holds when the session was not read here (or had no row).
NOT_READ: Any = object()


class SessionStore(DatabaseSessionStore):
    # The session's user as read with it (None: the row names no user, or one since
    # deleted), or NOT_READ.
    loaded_user: Any = NOT_READ

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        from apps.accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        instance = cast("UserSession", super().create_model_instance(data))
        raw_id = data.get(SESSION_KEY)
        try:
            instance.user_id = int(raw_id) if raw_id is not None else None
        except (TypeError, ValueError):
            instance.user_id = None
        return instance

    def _get_session_from_db(self) -> UserSession | None:
        """Django's read (the unexpired row by key, or None and the key forgotten), in one
        query with the row's user."""
        self.loaded_user = NOT_READ
        if self.session_key is None:
            return None
        session_fields, user_fields, sql = _joined_read()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        row = one_row(sql, [MODERATORS_GROUP, self.session_key, now])
        if row is None:
            self._session_key = None
            return None
        values = _converted(row)
        model = self.model
        session = model.from_db(
            connection.alias, [f.attname for f in session_fields], values[: len(session_fields)]
        )
        user_values = values[len(session_fields) : -2]
        self.loaded_user = None
        if user_values[0] is not None:  # the user's primary key: else no such user
            user = auth.get_user_model().from_db(
                connection.alias, [f.attname for f in user_fields], user_values
            )
            user._is_moderator = bool(values[-1])  # type: ignore[attr-defined]  # roles.is_moderator reads it
            # What the signed-in pages' personal layer is kept under (`personal_version`).
            user._personal_version = int(values[-2])  # type: ignore[attr-defined]
            self.loaded_user = user
        return cast("UserSession", session)


@lru_cache(maxsize=1)
def _joined_read() -> tuple[list[Field], list[Field], str]:
    """The session's and the user's columns, primary keys first, and the query (whose last
    two columns are the user's personal version, 0 when none was written, and whether the user
    is in the moderators' group)."""
    from apps.accounts.models import PersonalVersion, UserSession

    user_model = auth.get_user_model()
    quote = connection.ops.quote_name

    def fields(model: Any) -> list[Field]:
        pk = model._meta.pk
        return [pk, *(f for f in model._meta.concrete_fields if f is not pk)]

    def column(field: Any) -> str:
        return quote(str(field.column))

    session_fields, user_fields = fields(UserSession), fields(user_model)
    columns = [f"s.{column(f)}" for f in session_fields]
    columns += [f"u.{column(f)}" for f in user_fields]
    groups = user_model._meta.get_field("groups")
    through = groups.remote_field.through._meta  # type: ignore[union-attr]
    member = through.get_field(groups.m2m_field_name())
    of_group = through.get_field("group")
    in_group = (
        f"EXISTS (SELECT 1 FROM {quote(through.db_table)} m "  # noqa: S608
        f"JOIN {quote(Group._meta.db_table)} g "
        f"ON g.{column(Group._meta.pk)} = m.{column(of_group)} "
        f"WHERE m.{column(member)} = u.{column(user_model._meta.pk)} AND g.{quote('name')} = %s)"
    )
    sql = (
        f"SELECT {', '.join(columns)}, COALESCE(pv.{quote('version')}, 0), {in_group} "  # noqa: S608
        f"FROM {quote(UserSession._meta.db_table)} s "
        f"LEFT JOIN {quote(user_model._meta.db_table)} u "
        f"ON u.{column(user_model._meta.pk)} = s.{quote('user_id')} "
        f"LEFT JOIN {quote(PersonalVersion._meta.db_table)} pv "
        f"ON pv.{quote('user_id')} = u.{column(user_model._meta.pk)} "
        f"WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s"
    )
    return session_fields, user_fields, sql


@lru_cache(maxsize=1)
def _converters() -> list[tuple[int, Any, list[Any]]]:
    """The columns whose raw values the ORM converts (SQLite's dates, which come back as text;
    on PostgreSQL none of these), with their converters: worked out once."""
    session_fields, user_fields, _sql = _joined_read()
    found = []
    for index, field in enumerate(session_fields + user_fields):
        col = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if converters:
            found.append((index, col, converters))
    return found


def _converted(row: tuple[Any, ...]) -> list[Any]:
    """A raw row's values as the ORM would give them."""
    values = list(row)
    for index, col, converters in _converters():
        for converter in converters:
            values[index] = converter(values[index], col, connection)
    return values


# -- the request's user


def personal_version(user: Any) -> int | None:
    """The user's personal version (accounts.PersonalVersion) as read with their session, 0
    when none was written yet; None when this store did not read it (keep nothing then)."""
    version = getattr(user, "_personal_version", None)
    return version if isinstance(version, int) else None


def get_user(request: HttpRequest) -> Any:
    """`auth.get_user(request)`, with the user this store read along with the session."""
    session = request.session
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    loaded = getattr(session, "loaded_user", NOT_READ)
    if loaded is NOT_READ or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    backend = auth.load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return auth.get_user(request)
    user = loaded if loaded is not None and loaded.pk == user_id else None
    if user is None or not backend.user_can_authenticate(user):
        return AnonymousUser()
    return user if _verified(request, user) else AnonymousUser()


def _verified(request: HttpRequest, user: User) -> bool:
    """The session's password hash against the user's, as `auth.get_user` checks it: one made
    with a fallback secret is renewed; one that matches nothing ends the session."""
    session = request.session
    session_hash = session.get(HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return True
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = current
        return True
    session.flush()
    return False


def _lazy_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with `request.user` from `get_user` above."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _lazy_user(request))  # type: ignore[assignment]
