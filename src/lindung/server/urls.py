"""URL map: the API under /api/, a plain landing page at /."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from lindung.apps.intake import views as intake
from lindung.server.api import api


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Lindung</title>"
        "<h1>Lindung</h1><p>Child online protection for Southeast Asia.</p>"
        "<p><a href='/report'>Report something that happened online</a></p>"
        "<p><a href='/api/docs'>API documentation</a></p></html>"
    )


urlpatterns = [
    path("", home, name="home"),
    path("api/", api.urls),
    path("report", intake.report_page, name="report"),
    path("report/status", intake.status_page, name="report-status"),
    path("report/help", intake.help_page, name="report-help"),
    path("report/assets/<str:name>", intake.asset, name="report-asset"),
]
