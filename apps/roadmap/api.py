from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from apps.roadmap import selectors
from apps.roadmap.readme_export import roadmap_to_markdown


@require_GET
def roadmap_export_md(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap = selectors.roadmap_get(slug=slug)
    response = HttpResponse(
        roadmap_to_markdown(roadmap), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{roadmap.slug}-roadmap.md"'
    return response
