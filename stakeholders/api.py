"""REST API for the people directory (`orgs/<org>/people/`) and the
stakeholder register of a project (`…/projects/<project>/stakeholder-groups/`).

As in `projects.api` (shared plumbing in `coprod.api`): look-ups are filtered
by the organisation and project of the URL (TENANT-1, 404 otherwise), writes
go through the services, which enforce SCOPE-4 and write the audit log.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from coprod.api import (
    READ_ERRORS,
    READ_RESTRICTED_ERRORS,
    WRITE_ERRORS,
    OrganisationView,
    ProjectView,
    doc,
    require_read,
    validated_query,
)
from projects.selectors import member_users
from stakeholders import selectors, services
from stakeholders.models import Person, StakeholderGroup
from stakeholders.permissions import can_view_directory, can_view_stakeholders
from stakeholders.serializers import PersonSearchSerializer, PersonSerializer, StakeholderGroupSerializer

_DIRECTORY_READERS = "Contact details are personal data: admins, facilitators and auditors only."


class PersonView(OrganisationView):
    serializer_class = PersonSerializer

    def member_users(self) -> QuerySet:
        """Accounts a directory entry may link to: members of this organisation."""
        return member_users(organisation=self.organisation)

    def check_can_read(self) -> None:
        require_read(can_view_directory(self.request.user, self.organisation), _DIRECTORY_READERS)


@extend_schema_view(
    get=doc(
        "The people directory",
        tag="people",
        description=_DIRECTORY_READERS,
        parameters=[PersonSearchSerializer],
        ok={200: PersonSerializer},
        errors=(400, 401, 403, 404),
    ),
    post=doc(
        "Add someone to the directory",
        tag="people",
        description="Admins and facilitators. `user` must be a member of this organisation.",
        request=PersonSerializer,
        ok={201: PersonSerializer},
        errors=WRITE_ERRORS,
    ),
)
class PersonListView(PersonView, generics.ListCreateAPIView):
    def visible(self) -> QuerySet[Person]:
        self.check_can_read()
        filters = validated_query(PersonSearchSerializer, self.request)
        return selectors.people(organisation=self.organisation, search=filters.get("search", ""))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PersonSerializer(data=request.data, users=self.member_users())
        serializer.is_valid(raise_exception=True)
        person = services.person_add(
            organisation=self.organisation, actor=request.user, **serializer.validated_data
        )
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailView(PersonView):
    def get_object(self) -> Person:
        return get_object_or_404(selectors.people(organisation=self.organisation), pk=self.kwargs["pk"])

    @doc(
        "Someone in the directory",
        tag="people",
        description=_DIRECTORY_READERS,
        ok={200: PersonSerializer},
        errors=READ_RESTRICTED_ERRORS,
    )
    def get(self, request: Request, org: str, pk: int) -> Response:
        self.check_can_read()
        return Response(PersonSerializer(self.get_object()).data)

    @doc(
        "Edit someone in the directory",
        tag="people",
        description="Admins and facilitators. `user` must be a member of this organisation.",
        request=PersonSerializer,
        ok={200: PersonSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, pk: int) -> Response:
        person = self.get_object()
        serializer = PersonSerializer(person, data=request.data, partial=True, users=self.member_users())
        serializer.is_valid(raise_exception=True)
        person = services.person_update(person=person, actor=request.user, **serializer.validated_data)
        return Response(PersonSerializer(person).data)


class StakeholderGroupView(ProjectView):
    serializer_class = StakeholderGroupSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        require_read(
            can_view_stakeholders(request.user, self.project), "You cannot see this project's stakeholders."
        )

    def visible(self) -> QuerySet[StakeholderGroup]:
        return selectors.stakeholder_groups(project=self.project)


@extend_schema_view(
    get=doc(
        "Stakeholder groups of a project",
        tag="stakeholders",
        ok={200: StakeholderGroupSerializer},
        errors=READ_ERRORS,
    ),
    post=doc(
        "Add a stakeholder group",
        tag="stakeholders",
        description="SCOPE-4: say whether the group is affected directly or indirectly and whether "
        "its members are professionals; SCOPE-3: how it may be affected. Names are unique within "
        "the project.",
        request=StakeholderGroupSerializer,
        ok={201: StakeholderGroupSerializer},
        errors=WRITE_ERRORS,
    ),
)
class StakeholderGroupListView(StakeholderGroupView, generics.ListCreateAPIView):
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = StakeholderGroupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = services.stakeholder_group_add(
            project=self.project, actor=request.user, **serializer.validated_data
        )
        return Response(StakeholderGroupSerializer(group).data, status=status.HTTP_201_CREATED)


class StakeholderGroupDetailView(StakeholderGroupView):
    def get_object(self) -> StakeholderGroup:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @doc("A stakeholder group", tag="stakeholders", ok={200: StakeholderGroupSerializer}, errors=READ_ERRORS)
    def get(self, request: Request, org: str, project: str, pk: int) -> Response:
        return Response(StakeholderGroupSerializer(self.get_object()).data)

    @doc(
        "Edit a stakeholder group",
        tag="stakeholders",
        request=StakeholderGroupSerializer,
        ok={200: StakeholderGroupSerializer},
        errors=WRITE_ERRORS,
    )
    def patch(self, request: Request, org: str, project: str, pk: int) -> Response:
        group = self.get_object()
        serializer = StakeholderGroupSerializer(group, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        group = services.stakeholder_group_update(
            group=group, actor=request.user, **serializer.validated_data
        )
        return Response(StakeholderGroupSerializer(group).data)

    @doc("Remove a stakeholder group", tag="stakeholders", ok={204: None}, errors=(401, 403, 404, 409))
    def delete(self, request: Request, org: str, project: str, pk: int) -> Response:
        services.stakeholder_group_remove(group=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
