"""URL scheme (DESIGN.md): `/o/<org>/…` staff and member pages,
`/p/<org>/<project>/…` and `/propose/<org>/` public pages, `/api/v1/…` REST,
`/api/schema/` and `/api/docs/` OpenAPI."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from coprod.security import ThrottledLoginView
from projects import views as project_views

api_v1 = [
    path("", include("projects.api_urls")),
    path("orgs/<slug:org>/", include("stakeholders.api_urls")),
    path("orgs/<slug:org>/", include("boards.api_urls")),
    path("orgs/<slug:org>/", include("disputes.api_urls")),
    path("orgs/<slug:org>/", include("projects.api_flags_urls")),
    path("orgs/<slug:org>/", include("overview.api_urls")),
    path("orgs/<slug:org>/", include("stakeholders.api_participation_urls")),
    path("orgs/<slug:org>/", include("reports.api_urls")),
]

urlpatterns = [
    path("", project_views.home, name="home"),
    # Before Django's own: the login page with the password-guessing throttle.
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher posts here. Without a CSRF check: the worst a
    # forged request can do is change someone's language, and pages shared
    # by every visitor (the public project page) carry no per-visitor token.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("invite/<str:token>/", project_views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org>/", include("projects.urls", namespace="projects")),
    path("o/<slug:org>/", include("stakeholders.urls", namespace="stakeholders")),
    path("o/<slug:org>/", include("boards.urls", namespace="boards")),
    path("o/<slug:org>/", include("disputes.urls", namespace="disputes")),
    path("o/<slug:org>/", include("overview.urls", namespace="overview")),
    path("o/<slug:org>/", include("stakeholders.participation_urls", namespace="participation")),
    path("o/<slug:org>/", include("reports.urls", namespace="reports")),
    path("p/<slug:org>/<slug:project>/", include("boards.public_urls", namespace="public_boards")),
    path("p/<slug:org>/<slug:project>/", include("stakeholders.public_urls", namespace="public_project")),
    path("", include("projects.public_urls", namespace="public")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own
    # (`?script`), so the docs page keeps the strict Content-Security-Policy.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
