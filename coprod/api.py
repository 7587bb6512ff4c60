"""Shared plumbing of the REST API: the documented error bodies, the
`doc()` helper, query-parameter validation and the organisation- and
project-scoped base views.

The tenancy middleware resolves `<org>` and enters its scope; these classes
check, after DRF has authenticated the token or session (TokenAuthentication
first in the REST_FRAMEWORK defaults, so an anonymous caller gets 401), that
the user is a member, and answer 404 otherwise (TENANT-1), the same answer as
for an organisation that does not exist."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import ISO_8601, generics, permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.settings import api_settings

from coprod.rulebook import Rule
from projects import selectors
from projects.models import Organisation, Project
from projects.permissions import can_view_project, role_in

# --- Error bodies (documentation only) ----------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """A refusal without a rule: not authenticated, not found, not allowed,
    or a conflict with the current state."""

    detail = serializers.CharField()


class RuleErrorSerializer(serializers.Serializer):
    """A refusal by a rule of RULES.md: 403 when the actor may not do it,
    409 when the state of things refuses it."""

    rule = serializers.ChoiceField(choices=Rule.choices, help_text="The rule ID, e.g. BOARD-10.")
    detail = serializers.CharField()
    evidence = serializers.ListField(
        child=serializers.DictField(), help_text="Links to the records that justify the refusal."
    )


_REFUSAL = PolymorphicProxySerializer(
    component_name="Refusal",
    serializers=[RuleErrorSerializer, ErrorSerializer],
    resource_type_field_name=None,
)

ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        {
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    # Messages, or one error object per item of a list field.
                    {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                    # The errors of a nested object, by key.
                    {"type": "object"},
                    # `detail` when the body is not JSON at all.
                    {"type": "string"},
                ]
            },
            "example": {"slug": ["Enter a valid “slug”."]},
        },
        description='Invalid input: `{"field": ["message", …]}` (nested fields nest the same way), '
        '`non_field_errors` for the body as a whole, or `{"detail": "…"}` when the body cannot be '
        "read at all. Nothing was changed.",
    ),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(
        _REFUSAL,
        description="Your role does not allow this. When a rule refuses it, the body names the rule "
        '(`{"rule", "detail", "evidence"}`).',
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        description="No such organisation or object here (or no such `page` of a list). Objects of "
        "another organisation, and organisations you are not a member of, are 'not found' too "
        "(TENANT-1).",
    ),
    405: OpenApiResponse(ErrorSerializer, description="This method is not offered here."),
    409: OpenApiResponse(
        _REFUSAL,
        description="The current state refuses this. When a rule refuses it, the body names the rule.",
    ),
}


def postprocess_refusal_any_of(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular hook: a refusal is a rule error *or* a plain error.
    Every rule error also has the plain error's `detail`, so "exactly one
    of" (the `oneOf` a polymorphic serializer gives) would reject every rule
    refusal the API really sends: describe it as "any of"."""
    del generator, request, public
    refusal = result.get("components", {}).get("schemas", {}).get("Refusal")
    if refusal and "oneOf" in refusal:
        refusal["anyOf"] = refusal.pop("oneOf")
    return result


def postprocess_unsupported_media_type(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular hook: an operation that reads a body answers 415 to a
    body of a type it does not read (or of no declared type at all)."""
    del generator, request, public
    answer = {
        "description": "The body is not of a type this operation reads: send JSON "
        "(`Content-Type: application/json`). Nothing was changed.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("415", answer)
    return result


class BlankableEmailFieldExtension(OpenApiSerializerFieldExtension):
    """An optional email address or web address is sent and answered as ""
    when there is none: document that, instead of a `format` the empty
    string fails."""

    target_class = "rest_framework.fields.EmailField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not _may_be_blank(self.target):
            return schema
        fmt = "email" if isinstance(self.target, serializers.EmailField) else "uri"
        schema.pop("format", None)
        schema.pop("type", None)
        # No top-level `type`: drf-spectacular would add the validator's `format` back.
        length = next(
            (v.limit_value for v in self.target.validators if isinstance(v, MaxLengthValidator)), None
        )
        schema["anyOf"] = [{"type": "string", "format": fmt}, {"type": "string", "maxLength": 0}]
        if length is not None:
            schema["maxLength"] = length
        return schema


class BlankableURLFieldExtension(BlankableEmailFieldExtension):
    target_class = "rest_framework.fields.URLField"


def _may_be_blank(field: serializers.Field) -> bool:
    """Whether the field takes or answers "": it allows blanks, or it is a
    read-only copy of a model field that does."""
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if not field.read_only or model is None:
        return False
    try:
        # Follow a dotted source (`user.email`) to the model field it reads.
        for name in field.source_attrs[:-1]:
            model = model._meta.get_field(name).related_model
        return bool(model._meta.get_field(field.source_attrs[-1]).blank)
    except (FieldDoesNotExist, AttributeError, IndexError):
        return False


class RFC3339DateTimeField(serializers.DateTimeField):
    """A date-time answered with a whole-minute offset, as RFC 3339 (and so
    the OpenAPI `date-time` format) requires. Far in the past a local zone's
    offset has seconds (London's was -00:01:15 before 1847), which
    `isoformat()` writes as it is; such a value is answered in UTC instead.
    For date-times people type (a meeting's time), not the server's own."""

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime) and api_settings.DATETIME_FORMAT == ISO_8601:
            offset = self.enforce_timezone(value).utcoffset()
            if offset is not None and offset % datetime.timedelta(minutes=1):
                text = value.astimezone(datetime.UTC).isoformat()
                return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text
        return super().to_representation(value)


READ_ERRORS = (401, 404)
READ_RESTRICTED_ERRORS = (401, 403, 404)
WRITE_ERRORS = (400, 401, 403, 404, 409)


def doc(
    summary: str,
    *,
    tag: str,
    ok: dict[int, Any],
    errors: tuple[int, ...],
    request: Any = None,
    description: str | None = None,
    parameters: list[Any] | None = None,
) -> Any:
    """`extend_schema` with our error bodies attached. Without a description
    the summary stands in, so no code docstring leaks into the API docs.
    `request=None` (the default) documents no request body; pass
    `request=empty` to let drf-spectacular use the view's serializer."""
    kwargs: dict[str, Any] = {
        "summary": summary,
        "description": description or f"{summary}.",
        "tags": [tag],
        "responses": {**ok, **{code: ERRORS[code] for code in errors}},
    }
    if request is not empty:
        kwargs["request"] = request
    if parameters:
        kwargs["parameters"] = parameters
    return extend_schema(**kwargs)


def require_read(allowed: bool, message: str) -> None:
    """403 with a `detail` for a read the caller's role may not see."""
    if not allowed:
        raise PermissionDenied(message)


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict[str, Any]:
    """Input through a serializer (`kwargs`: `instance`, `partial`, `context`
    …): invalid input is a 400 with field errors, never a 500."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def validated_query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Query parameters through a serializer: a bad filter is a 400, never a 500."""
    return validated(serializer_class, request.query_params)


# --- Base classes ------------------------------------------------------------------


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


class OrganisationView(OrganisationAPIMixin, generics.GenericAPIView):
    """A view under `orgs/<org>/`: member of the organisation or 404.

    A view listing or looking up objects defines `visible()`, the objects the
    caller may see here, filtered by the organisation (and project) of the
    URL; DRF's `get_object()` then answers 404 for any other id (TENANT-1)."""

    def visible(self) -> QuerySet:
        raise NotImplementedError(f"{type(self).__name__} lists no objects.")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            # Generating the OpenAPI schema: there is no organisation to filter by.
            return self.get_serializer_class().Meta.model.objects.none()
        return self.visible()

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["organisation"] = self.organisation
        return context


class ProjectView(OrganisationView):
    """A view under `orgs/<org>/projects/<project>/`: the project is looked
    up within the organisation of the URL, or 404 (TENANT-1)."""

    project: Project

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # After the membership check, so outsiders learn nothing about slugs.
        self.project = selectors.project_get(organisation=self.organisation, slug=kwargs["project"])
        require_read(can_view_project(request.user, self.project), "You cannot see this project.")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["project"] = getattr(self, "project", None)
        return context
