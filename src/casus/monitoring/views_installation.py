"""Installation administration of regional support bodies: one page, ids in the POST data."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from casus.access.middleware import cell_exempt
from casus.access.models import User
from casus.access.rules import InstallationAction, require_installation
from casus.core.exceptions import CasusError
from casus.core.forms import add_rule_error
from casus.core.htmx import render_page

from . import selectors, services
from .forms import BodyCreateForm, SupporterAppointForm, SupporterRemoveForm
from .models import RegionalSupporter


@cell_exempt
def bodies(request: HttpRequest) -> HttpResponse:
    """List the bodies; create one, appoint or remove a supporter (``op`` in the POST)."""
    actor: User = request.user  # type: ignore[assignment]
    require_installation(actor, InstallationAction.REGIONAL_BODY_MANAGE)
    op = request.POST.get("op", "create") if request.method == "POST" else ""
    create = BodyCreateForm(request.POST if op == "create" else None, prefix=None)
    appoint = SupporterAppointForm(request.POST if op == "appoint" else None)
    remove = SupporterRemoveForm(request.POST if op == "remove" else None)
    forms = {"create": create, "appoint": appoint, "remove": remove}
    form = forms.get(op)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if op == "create":
                services.regional_body_create(actor=actor, name=data["name"])
                messages.success(request, _("Regional support body created."))
            elif op == "appoint":
                services.regional_supporter_appoint(
                    actor=actor, body=data["body"], email=data["email"]
                )
                messages.success(request, _("Regional support person appointed."))
            else:
                supporter = RegionalSupporter.objects.filter(pk=data["supporter"]).first()
                if supporter is None:
                    raise CasusError(_("This person no longer works for this body."))
                services.regional_supporter_remove(actor=actor, supporter=supporter)
                messages.success(request, _("Regional support person removed."))
        except CasusError as error:
            add_rule_error(form, error)
        else:
            return redirect("regional_bodies:index")
    invalid = form is not None and bool(form.errors)
    if request.method == "POST" and form is None:
        invalid = True
        messages.error(request, _("Choose what to do."))
    return render_page(
        request,
        "monitoring/installation_bodies.html",
        {
            "bodies": selectors.body_list_for_admin(actor=actor),
            "create_form": create,
            "appoint_form": appoint,
            "remove_form": remove,
        },
        status=400 if invalid else 200,
    )
