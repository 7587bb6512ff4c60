"""Browser pages of the Overview Group's milestone reviews (GROUP-8): the
group reviews every milestone at one of its held meetings, and a milestone
is marked complete only after that.

Views translate and nothing more: `overview.services` checks who may record
a review or complete a milestone and refuses completion without a review
(GROUP-8), which shows on the page with the rule ID (409), logged by the
service. Any member of the organisation reads the reviews; the project's
facilitators and managers record them; auditors and members change nothing
(403). A milestone of another project or organisation is a 404 (TENANT-1).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from boards import selectors as body_selectors
from boards.models import Body
from boards.permissions import can_manage_body
from boards.selectors_decisions import held_meetings
from boards.views.bodies import refusal_status
from coprod.forms import SERVICE_ERRORS, add_service_error
from overview import services
from overview.forms import MilestoneCompleteForm, MilestoneReviewForm
from overview.models import MilestoneReview
from projects.models import Milestone, Project
from projects.permissions import can_edit_project
from projects.views import allow, page, project_context, project_crumbs, project_for, wrong_method

GET_POST = require_http_methods(["GET", "POST"])


def _milestone_for(project: Project, pk: int) -> Milestone:
    """A milestone of this project only: any other id is a 404 (TENANT-1)."""
    return get_object_or_404(Milestone.objects.select_related("phase"), project=project, pk=pk)


def _reviews(milestone: Milestone) -> QuerySet[MilestoneReview]:
    # No overview selector for reviews yet (reported to the lead).
    return (
        MilestoneReview.objects.filter(milestone=milestone)
        .select_related("meeting", "recorded_by")
        .order_by("-meeting__held_on", "-pk")
    )


def _review_page(
    request: HttpRequest,
    project: Project,
    milestone: Milestone,
    body: Body,
    *,
    review_form: MilestoneReviewForm | None = None,
    complete_form: MilestoneCompleteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The milestone, the group's reviews of it, and (for those who may) the
    forms to record a review and to mark it complete."""
    user = request.user
    can_review = can_manage_body(user, body)
    can_complete = can_edit_project(user, project) and milestone.completed_on is None
    reviews = list(_reviews(milestone))
    milestones_url = reverse(
        "projects:milestone_list", kwargs={"org": project.organisation.slug, "project": project.slug}
    )
    context: dict[str, Any] = project_context(request, project, "milestones")
    context.update(
        {
            "milestone": milestone,
            "body": body,
            "reviews": reviews,
            "can_review": can_review,
            "can_complete": can_complete,
            "review_form": (review_form or MilestoneReviewForm(meetings=held_meetings(body)))
            if can_review
            else None,
            # A refused attempt keeps its form, to show why, even on a completed milestone.
            "complete_form": complete_form or (MilestoneCompleteForm() if can_complete else None),
            "body_url": reverse(
                "boards:body_detail",
                kwargs={"org": project.organisation.slug, "project": project.slug, "kind": body.kind},
            ),
            "breadcrumbs": project_crumbs(
                project, (_("Milestones"), milestones_url), (milestone.title, None)
            ),
        }
    )
    return page(request, "overview/milestone_review.html", context, status=status)


@GET_POST
def milestone_review(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """GROUP-8: record the Overview Group's review of a milestone, made at
    one of its held meetings."""
    obj = project_for(request, project)
    milestone = _milestone_for(obj, pk)
    body = body_selectors.body_get(project=obj, kind="overview")
    if request.method == "GET":
        return _review_page(request, obj, milestone, body)
    allow(can_manage_body(request.user, body))
    form = MilestoneReviewForm(request.POST, meetings=held_meetings(body))
    status = 400
    if form.is_valid():
        try:
            services.milestone_review_record(
                milestone=milestone,
                meeting=form.cleaned_data["meeting"],
                summary=form.cleaned_data["summary"],
                actor=request.user,
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
            status = refusal_status(exc)
        else:
            messages.success(
                request,
                _("The Overview Group's review of “%(title)s” is recorded.") % {"title": milestone.title},
            )
            return redirect("overview:milestone_review", org=org, project=obj.slug, pk=milestone.pk)
    return _review_page(request, obj, milestone, body, review_form=form, status=status)


def milestone_complete(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    """GROUP-8: mark a milestone complete. Refused, with the rule ID, until
    the Overview Group has reviewed it; the refusal is logged."""
    obj = project_for(request, project)
    milestone = _milestone_for(obj, pk)
    if refused := wrong_method(request, "POST"):
        return refused
    allow(can_edit_project(request.user, obj))
    body = body_selectors.body_get(project=obj, kind="overview")
    form = MilestoneCompleteForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            done = services.milestone_complete(
                milestone=milestone, actor=request.user, on=form.cleaned_data["completed_on"]
            )
        except SERVICE_ERRORS as exc:
            add_service_error(form, exc)
            status = refusal_status(exc)
        else:
            messages.success(
                request,
                _("“%(title)s” is marked complete on %(day)s.")
                % {"title": done.title, "day": f"{done.completed_on:%-d %B %Y}"},
            )
            return redirect("projects:milestone_list", org=org, project=obj.slug)
    # Show what is stored, not what the refused attempt may have set.
    milestone.refresh_from_db()
    return _review_page(request, obj, milestone, body, complete_form=form, status=status)
