"""URL map: the API under /api/, a plain landing page at /."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from lindung.server.api import api


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Lindung</title>"
        "<h1>Lindung</h1><p>Child online protection for Southeast Asia.</p>"
        "<p><a href='/api/docs'>API documentation</a></p></html>"
    )


urlpatterns = [
    path("", home, name="home"),
    path("api/", api.urls),
]
