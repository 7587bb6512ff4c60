"""Shared pieces of the REST API: the organisation-scoped base view.

The tenancy middleware resolves `<org>` and enters its scope; these classes
check, after DRF has authenticated the token or session, that the user is a
member, and answer 404 otherwise (TENANT-1), the same answer as for an
organisation that does not exist."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import permissions
from rest_framework.request import Request

from projects.models import Organisation
from projects.permissions import role_in


class IsOrganisationMember(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        organisation = getattr(request._request, "organisation", None)
        if organisation is None or role_in(request.user, organisation) is None:
            raise Http404("No such organisation.")
        return True


class OrganisationAPIMixin:
    """Mixin for every view under `/api/v1/orgs/<org>/`."""

    permission_classes = [permissions.IsAuthenticated, IsOrganisationMember]

    @property
    def organisation(self) -> Organisation:
        return self.request._request.organisation  # type: ignore[attr-defined]
