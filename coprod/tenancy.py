"""Tenancy: the organisation comes from the URL, never from the session.

One middleware resolves `<org>` for staff pages (`/o/<org>/…`), the API
(`/api/v1/orgs/<org>/…`) and public pages (`/p/<org>/…`, `/propose/<org>/`),
answers 404 both when the organisation does not exist and when the user is
not a member (so outsiders cannot even learn which slugs exist), and runs the
view inside a django-scopes scope so that a query that forgets to filter by
organisation fails loudly instead of leaking (TENANT-1).

API views check membership themselves (see `coprod.api.OrganisationAPIView`)
because DRF authenticates tokens inside the view, after middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django_scopes import scope, scopes_disabled

from projects.models import Organisation, OrganisationMember

STAFF_PREFIX = "/o/"
API_PREFIX = "/api/v1/orgs/"
PUBLIC_PREFIXES = ("/p/", "/propose/")
ADMIN_PREFIX = "/admin/"


def staff_membership(user: Any, slug: str) -> OrganisationMember | None:
    """The user's membership of the organisation with this slug, with the
    organisation loaded, or None (no such organisation, or not a member)."""
    with scopes_disabled():  # the organisation is what is being resolved
        try:
            # get(), not first(): a user has one membership of an organisation,
            # and first() would sort by the model's ordering, which joins the
            # user table on every signed-in request.
            return OrganisationMember.objects.select_related("organisation").get(
                organisation__slug=slug, user=user
            )
        except OrganisationMember.DoesNotExist:
            return None


class OrganisationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(ADMIN_PREFIX):
            # Django admin is for support staff (superusers) across tenants.
            with scopes_disabled():
                return _render(view_func(request, *view_args, **view_kwargs))
        slug = view_kwargs.get("org")
        if slug is None:
            return None
        if path.startswith(STAFF_PREFIX):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # One query for both: an unknown organisation and one the user is
            # not a member of are the same 404.
            membership = staff_membership(request.user, slug)
            if membership is None:
                raise Http404("No such organisation.")
            organisation = membership.organisation
            request.membership = membership  # type: ignore[attr-defined]
        elif path.startswith(API_PREFIX) or path.startswith(PUBLIC_PREFIXES):
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise Http404("No such organisation.")
        else:
            return None
        request.organisation = organisation  # type: ignore[attr-defined]
        with scope(organisation=organisation):
            return _render(view_func(request, *view_args, **view_kwargs))


def _render(response: HttpResponse) -> HttpResponse:
    """Render template responses while the scope is still active."""
    render = getattr(response, "render", None)
    if callable(render) and not getattr(response, "is_rendered", True):
        response = render()
    return response
