from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from knox.models import AuthToken

from apps.accounts.models import ApiToken, PersonalVersion, User, UserSession
from roadmap_site.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Profile", {"fields": ("display_name", "time_zone")}),
        ("Email preferences", {"fields": ("email_submission_decisions", "email_weekly_digest")}),
    )
    list_display = ("username", "email", "display_name", "time_zone", "is_staff")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Token metadata only; deleting a row here revokes the token itself."""

    list_display = ("name", "user", "created_at", "last_used_at", "expires_at")
    list_select_related = ("user", "auth_token")
    search_fields = ("name", "user__username")
    fields = ("name", "user", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        AuthToken.objects.filter(digest=obj.auth_token_id).delete()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        AuthToken.objects.filter(details__in=queryset).delete()


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Who is signed in where; the session data itself is not shown."""

    list_display = ("session_key_start", "user_id", "expire_date")
    fields = ("user_id", "expire_date")
    readonly_fields = fields
    search_fields = ("=user_id",)

    @admin.display(description="session")
    def session_key_start(self, obj: UserSession) -> str:
        return f"{obj.session_key[:6]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PersonalVersion)
class PersonalVersionAdmin(ReadOnlyAdmin):
    """What a learner's kept pages are keyed by (roadmap_site/page_layer.py), moved by the
    progress tables' triggers only."""

    list_display = ("user_id", "version")
    search_fields = ("=user_id",)
