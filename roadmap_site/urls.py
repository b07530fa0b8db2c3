from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The admin has no sign-in of its own: its login page sends visitors to the site's (allauth's,
# rate-limited per address and per login) with next=/admin/..., and refuses signed-in people
# who are not staff with 403 rather than offering them another sign-in.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("apps.operations.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("settings/", include("apps.accounts.urls")),
    path("api/v1/", include("roadmap_site.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("apps.progress.urls")),
    path("", include("apps.mail.urls")),
    path("", include("apps.community.urls")),
    path("", include("apps.showcase.urls")),
    path("", include("apps.moderation.urls")),
    path("", include("apps.linkcheck.urls")),
    path("", include("apps.solutions.urls")),
    path("", include("apps.search.urls")),
    path("", include("apps.roadmap.urls")),
]

handler400 = "roadmap_site.error_views.bad_request"
handler403 = "roadmap_site.error_views.permission_denied"
handler404 = "roadmap_site.error_views.page_not_found"
handler500 = "roadmap_site.error_views.server_error"
