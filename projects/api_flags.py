"""REST API of the cadence monitoring (BOARD-9, GROUP-6, GROUP-8, TEAM-3,
TEAM-9 report side), under `/api/v1/orgs/<org>/`: the organisation's flags
(`flags/`), one project's flags (`projects/<project>/flags/`) and the
caller's own choice of how they hear about new flags (`notifications/`).

Flags are read-only: the cadence checks raise and resolve them. Any member
of the organisation reads them, auditors included. Look-ups are filtered by
the organisation (and project) of the URL, so another organisation's flags
are never listed and its project is a 404 (TENANT-1); a bad filter is a 400
with field errors. A list costs a fixed number of queries, however many
flags there are."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from coprod.api import READ_ERRORS, OrganisationView, ProjectView, doc, validated, validated_query
from coprod.rulebook import Rule
from projects import selectors, services
from projects.flag_forms import STATE_ALL, STATE_OPEN, STATE_RESOLVED
from projects.flag_views import safe_link
from projects.models import Flag, FlagKind, NotificationPreference, OrganisationMember, Project, Role

TAG = "flags"
_STATES = [STATE_OPEN, STATE_RESOLVED, STATE_ALL]
_KIND_HELP = "What the cadence checks noticed: " + "; ".join(
    f"`{value}` ({label.lower()})" for value, label in FlagKind.choices
)
# Inline enums, not components: `kind` is also the name of a body's, an
# item's and a stage's kind, and one component name per choice set keeps the
# schema free of naming warnings.
_KIND_SCHEMA = {"type": "string", "enum": FlagKind.values, "description": _KIND_HELP}
_STATE_SCHEMA = {"type": "string", "enum": _STATES}


@extend_schema_field(_KIND_SCHEMA)
class FlagKindField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=FlagKind.choices, **kwargs)


@extend_schema_field(_STATE_SCHEMA)
class FlagStateField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[(state, state) for state in _STATES], **kwargs)


class FlagSerializer(serializers.ModelSerializer):
    """A flag: what the checks noticed, where, since when, what would clear
    it and a link to what caused it."""

    kind = FlagKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    rule = serializers.ChoiceField(
        choices=Rule.choices, read_only=True, help_text="The rule ID, e.g. BOARD-9."
    )
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The project's slug.")
    project_title = serializers.CharField(source="project.title", read_only=True)
    url = serializers.SerializerMethodField(
        help_text="The page of what caused the flag (a path on this site)."
    )
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id",
            "project",
            "project_title",
            "kind",
            "kind_label",
            "rule",
            "title",
            "details",
            "fix",
            "url",
            "since",
            "opened_at",
            "resolved_at",
            "is_open",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "fix": {"help_text": "What would clear the flag."},
            "since": {"help_text": "When the condition started, as far as the records show."},
            "resolved_at": {"help_text": "When the checks found the condition cleared; null while open."},
        }

    def get_url(self, flag: Flag) -> str:
        return safe_link(flag.url)


class FlagFilterSerializer(serializers.Serializer):
    kind = FlagKindField(required=False, allow_blank=True, help_text="Only flags of this kind.")
    state = FlagStateField(
        required=False,
        default=STATE_OPEN,
        help_text="`open` (the default), `resolved`, or `all`.",
    )


class OrganisationFlagFilterSerializer(FlagFilterSerializer):
    project = serializers.SlugField(
        required=False, max_length=60, help_text="Only the flags of this project (its slug)."
    )


def _filtered(organisation: Any, project: Project | None, data: dict[str, Any]) -> QuerySet[Flag]:
    state = data.get("state") or STATE_OPEN
    flags = selectors.flags(
        organisation=organisation,
        project=project,
        kind=data.get("kind") or "",
        include_resolved=state != STATE_OPEN,
    )
    if state == STATE_RESOLVED:
        flags = flags.filter(resolved_at__isnull=False)
    return flags


_LIST_DESCRIPTION = (
    "Flags raised by the cadence checks when a body may be losing control: no held meeting within "
    "its cadence or none scheduled (BOARD-9, GROUP-8), an item undecided past its deadline or carried "
    "over too often (BOARD-9, GROUP-8), a milestone due without an Overview Group review (GROUP-8), "
    "an agreed group decision neither implemented nor returned (GROUP-6), a dispute stage past its "
    "time limit, a body suspended below its share, a term ending that leaves a gap (TEAM-3). Each says "
    "since when, what would clear it and links to what caused it; the checks resolve it once the "
    "condition clears. Newest first; open flags unless `state` says otherwise. Any member reads."
)


@doc(
    "Flags of the organisation",
    tag=TAG,
    description=_LIST_DESCRIPTION + " `project` narrows to one project of this organisation (400 for any "
    "other slug).",
    parameters=[OrganisationFlagFilterSerializer],
    ok={200: FlagSerializer(many=True)},
    errors=(400, 401, 404),
)
class FlagListView(OrganisationView, generics.ListAPIView):
    serializer_class = FlagSerializer

    def visible(self) -> QuerySet[Flag]:
        data = validated_query(OrganisationFlagFilterSerializer, self.request)
        project = None
        if data.get("project"):
            project = Project.objects.filter(organisation=self.organisation, slug=data["project"]).first()
            if project is None:
                raise serializers.ValidationError({"project": ["No such project in this organisation."]})
        return _filtered(self.organisation, project, data)


@doc(
    "Flags of a project",
    tag=TAG,
    description=_LIST_DESCRIPTION + " The flag emails link to this project's flag page.",
    parameters=[FlagFilterSerializer],
    ok={200: FlagSerializer(many=True)},
    errors=(400, 401, 404),
)
class ProjectFlagListView(ProjectView, generics.ListAPIView):
    serializer_class = FlagSerializer

    def visible(self) -> QuerySet[Flag]:
        return _filtered(self.organisation, self.project, validated_query(FlagFilterSerializer, self.request))


# --- How the caller hears about flags ------------------------------------------------------


class NotificationSerializer(serializers.Serializer):
    organisation = serializers.SlugField(read_only=True, help_text="The organisation's slug.")
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    notifications = serializers.ChoiceField(
        choices=NotificationPreference.choices,
        help_text="`every`: an email for every new flag; `digest`: one daily digest; `none`: no emails. "
        "Flags always show in the browser and in this API.",
    )


class NotificationView(OrganisationView):
    serializer_class = NotificationSerializer

    def _membership(self) -> OrganisationMember:
        # The caller's own membership of the organisation of the URL: nobody
        # else's preference can be read or changed here.
        return OrganisationMember.objects.select_related("organisation").get(
            organisation=self.organisation, user=self.request.user
        )

    @staticmethod
    def _data(membership: OrganisationMember) -> dict[str, Any]:
        return NotificationSerializer(
            {
                "organisation": membership.organisation.slug,
                "role": membership.role,
                "notifications": membership.notifications,
            }
        ).data

    @doc(
        "How you hear about flags",
        tag=TAG,
        description="Your own choice, for this organisation, of how you hear about new flags.",
        ok={200: NotificationSerializer},
        errors=READ_ERRORS,
    )
    def get(self, request: Request, org: str) -> Response:
        return Response(self._data(self._membership()))

    @doc(
        "Choose how you hear about flags",
        tag=TAG,
        description="Every member chooses for themselves, per organisation: an email for every new flag "
        "(`every`), one daily digest (`digest`) or none (`none`). Emails go to the organisation's admins "
        "and facilitators, the project's facilitators and the chair of the body concerned; flags always "
        "show in the browser. Changes only the caller's own membership.",
        request=NotificationSerializer,
        ok={200: NotificationSerializer},
        errors=(400, 401, 403, 404),
    )
    def put(self, request: Request, org: str) -> Response:
        data = validated(NotificationSerializer, request.data)
        membership = self._membership()
        services.member_set_notifications(
            membership=membership, preference=data["notifications"], actor=request.user
        )
        return Response(self._data(membership))
