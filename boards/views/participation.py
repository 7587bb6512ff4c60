"""Putting public input to a body (TEAM-9), from the input's page in the
triage queue: `/o/<org>/projects/<project>/inputs/<pk>/route/`. GET shows
the form on its own page; POST puts the input on the chosen body's agenda
and goes back to the input, or shows the refusal with its rule ID and the
status the API would give. The project's facilitators only; another
organisation's input is a 404 (TENANT-1)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from boards.forms.participation import InputRouteForm
from boards.models import Body
from boards.participation import default_title, input_route_to_body
from boards.views.decisions import refusal_status
from coprod.forms import SERVICE_ERRORS, add_service_error
from projects.permissions import can_edit_project
from projects.views import allow, page, project_context, project_crumbs, project_for
from stakeholders.models import PublicInput


@require_http_methods(["GET", "POST"])
def input_route(request: HttpRequest, org: str, project: str, pk: int) -> HttpResponse:
    obj = project_for(request, project)
    public_input = get_object_or_404(
        PublicInput.objects.select_related("project__organisation", "stakeholder_group"), project=obj, pk=pk
    )
    allow(can_edit_project(request.user, obj))
    bodies = list(Body.objects.filter(project=obj).order_by("kind"))
    form = InputRouteForm(request.POST or None, bodies=bodies, initial={"title": default_title(public_input)})
    kwargs = {"org": obj.organisation.slug, "project": obj.slug, "pk": public_input.pk}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            body = next(body for body in bodies if body.kind == form.cleaned_data["body"])
            body.project = obj
            data = {key: value for key, value in form.cleaned_data.items() if key != "body"}
            try:
                item = input_route_to_body(public_input=public_input, body=body, actor=request.user, **data)
            except SERVICE_ERRORS as exc:
                add_service_error(form, exc)
                status = refusal_status(exc)
            else:
                messages.success(
                    request,
                    _("The input is on the agenda of the %(body)s as “%(title)s”.")
                    % {"body": body.get_kind_display(), "title": item.title},
                )
                return redirect("participation:input_detail", **kwargs)
    input_url = reverse("participation:input_detail", kwargs=kwargs)
    context = project_context(request, obj, "participation")
    context.update(
        {
            "breadcrumbs": project_crumbs(
                obj,
                (
                    _("Public input"),
                    reverse("participation:input_list", kwargs={"org": org, "project": obj.slug}),
                ),
                (_("Input #%(pk)s") % {"pk": public_input.pk}, input_url),
                (_("Put it to a body"), None),
            ),
            "item": public_input,
            "form": form,
            "input_url": input_url,
        }
    )
    return page(request, "boards/input_route.html", context, status=status)
