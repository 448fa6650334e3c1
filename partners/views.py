"""Public partnership pages and the organiser area (/arrangor/). Views parse, call one
service, and render."""

import csv
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from . import services
from .forms import (
    AddNetworkPersonForm,
    ImportPeopleForm,
    NetworkPageForm,
    NetworkPersonForm,
    NewOrganisationsForm,
    OrganisationForm,
    OrganisationSearchForm,
    PersonSearchForm,
)
from .import_previews import forget_import, keep_import, kept_import
from .models import Network, OrganisationMembership, PersonMembership
from .permissions import network_organiser_required, organiser_required
from .selectors import (
    network_people,
    network_with_organisations,
    organisation_registry,
    organised_networks,
    public_networks,
    with_member_counts,
)
from .services.networks import PAGE_FIELDS

PEOPLE_PER_PAGE = 50
ORGANISATIONS_PER_PAGE = 50


def _split_by_role(network: Network) -> tuple[list, list]:
    memberships = list(network.organisation_memberships.all())
    members = [m for m in memberships if m.role == OrganisationMembership.Role.MEMBER]
    observers = [m for m in memberships if m.role == OrganisationMembership.Role.OBSERVER]
    return members, observers


# Public pages ----------------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/home.html", {"networks": public_networks()})


@require_safe
def partnership(request: HttpRequest) -> HttpResponse:
    # The oldest partnership is the one the site presents; a second one never makes this fail.
    network = (
        network_with_organisations(Network.objects.filter(kind=Network.Kind.PARTNERSHIP))
        .order_by("pk")
        .first()
    )
    if network is None:
        raise Http404
    members, observers = _split_by_role(network)
    return render(
        request,
        "partners/partnership.html",
        {
            "network": network,
            "members": members,
            "observers": observers,
            "thematic": network.children.all(),
        },
    )


@require_safe
def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_object_or_404(network_with_organisations(), slug=slug)
    members, observers = _split_by_role(network)
    return render(
        request,
        "partners/network_detail.html",
        {"network": network, "members": members, "observers": observers},
    )


# Organiser area --------------------------------------------------------------------------------


@organiser_required
@require_safe
def organiser_home(request: HttpRequest) -> HttpResponse:
    networks = with_member_counts(organised_networks(request.user).select_related("parent"))
    return render(request, "partners/organiser_home.html", {"networks": networks})


@network_organiser_required
@require_safe
def organiser_network(request: HttpRequest, network: Network) -> HttpResponse:
    search_form = PersonSearchForm(request.GET or None)
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    paginator = Paginator(network_people(network=network, search=search), PEOPLE_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    organisations = network.organisation_memberships.select_related("organisation")
    return render(
        request,
        "partners/organiser_network.html",
        {
            "network": network,
            "organisation_memberships": organisations,
            "search_form": search_form,
            "search": search,
            "page": page,
        },
    )


@network_organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def organiser_network_page(request: HttpRequest, network: Network) -> HttpResponse:
    """The founding decision and the contact person the public page shows."""
    initial = {name: getattr(network, name) for name in PAGE_FIELDS}
    form = NetworkPageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_network_page(network=network, values=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The network's page was saved."))
            return redirect("partners:organiser_network", slug=network.slug)
    return render(
        request, "partners/organiser_network_page.html", {"network": network, "form": form}
    )


@network_organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def organiser_person_add(request: HttpRequest, network: Network) -> HttpResponse:
    form = AddNetworkPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.add_person_to_network(network=network, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s was added to %(network)s.")
                % {"name": membership.person.name, "network": network.name},
            )
            return redirect("partners:organiser_network", slug=network.slug)
    return render(
        request,
        "partners/organiser_person_form.html",
        {"network": network, "form": form, "adding": True},
    )


MAX_ID = 2**63 - 1


def _membership_or_404(network: Network, person_id: int) -> PersonMembership:
    if person_id > MAX_ID:  # SQLite raises OverflowError rather than finding nothing
        raise Http404
    return get_object_or_404(
        PersonMembership.objects.select_related("person", "person__organisation"),
        network=network,
        person_id=person_id,
    )


@network_organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def organiser_person_edit(request: HttpRequest, network: Network, person_id: int) -> HttpResponse:
    membership = _membership_or_404(network, person_id)
    form = NetworkPersonForm(
        request.POST or None, initial=NetworkPersonForm.initial_for(membership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.update_person_in_network(
                network=network, person=membership.person, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The changes to %(name)s were saved.") % {"name": person.name}
            )
            return redirect("partners:organiser_network", slug=network.slug)
    return render(
        request,
        "partners/organiser_person_form.html",
        {"network": network, "form": form, "membership": membership, "adding": False},
    )


@network_organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def organiser_person_remove(request: HttpRequest, network: Network, person_id: int) -> HttpResponse:
    membership = _membership_or_404(network, person_id)
    if request.method == "POST":
        services.remove_person_from_network(network=network, person=membership.person)
        messages.success(
            request,
            _("%(name)s was removed from %(network)s.")
            % {"name": membership.person.name, "network": network.name},
        )
        return redirect("partners:organiser_network", slug=network.slug)
    return render(
        request,
        "partners/organiser_person_remove.html",
        {"network": network, "membership": membership},
    )


def _import_finished(request: HttpRequest, network: Network, report: services.ImportReport) -> None:
    if report.organisations_created:
        messages.success(
            request,
            ngettext(
                "%(count)s new organisation was added to the registry: %(names)s.",
                "%(count)s new organisations were added to the registry: %(names)s.",
                report.organisations_created,
            )
            % {
                "count": report.organisations_created,
                "names": ", ".join(o.name for o in report.new_organisations),
            },
        )
    messages.success(
        request,
        _(
            "Import finished: %(created)s new people, %(updated)s updated, "
            "%(added)s added to the network."
        )
        % {
            "created": report.created,
            "updated": report.updated,
            "added": report.added_to_network,
        },
    )


def _preview_key(network: Network) -> str:
    return "people-import-preview:%d" % network.pk


def _keep_and_preview(
    request: HttpRequest,
    network: Network,
    report: services.ImportReport,
    sources: list[services.ImportSource],
) -> HttpResponse:
    """Keep the previewed file on the server, so the confirmation imports exactly what the
    organiser saw without a second upload, and show the preview. One per network at a time."""
    names = [o.name for o in report.new_organisations]
    token = keep_import(request.session, _preview_key(network), sources=sources, names=names)
    return _render_preview(request, network, report, token, NewOrganisationsForm(names=names))


def _render_preview(
    request: HttpRequest,
    network: Network,
    report: services.ImportReport,
    token: str,
    form: NewOrganisationsForm,
) -> HttpResponse:
    return render(
        request,
        "partners/organiser_import_preview.html",
        {
            "network": network,
            "report": report,
            "token": token,
            "form": form,
            "new_organisations": form.rows_of(report),
        },
        status=422 if form.errors else 200,
    )


def _confirm_import(request: HttpRequest, network: Network) -> HttpResponse:
    preview = kept_import(request.session, _preview_key(network), request.POST.get("confirm"))
    if preview is None:
        messages.error(request, _("This preview is no longer available. Upload the file again."))
        return redirect("partners:organiser_import", slug=network.slug)
    form = NewOrganisationsForm(request.POST, names=preview.names)
    if not form.is_valid():
        report = services.import_people(network=network, sources=preview.sources, dry_run=True)
        return _render_preview(request, network, report, preview.token, form)
    report = services.import_people(
        network=network, sources=preview.sources, new_organisations=form.sectors()
    )
    if report.only_organisations_to_confirm:
        # The registry changed since the preview (or the file names other organisations now).
        return _keep_and_preview(request, network, report, preview.sources)
    if not report.ok:
        return render(
            request,
            "partners/organiser_import.html",
            {"network": network, "form": ImportPeopleForm(), "report": report},
        )
    forget_import(request.session, _preview_key(network))
    _import_finished(request, network, report)
    return redirect("partners:organiser_network", slug=network.slug)


@network_organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def organiser_import(request: HttpRequest, network: Network) -> HttpResponse:
    """Upload, check, import. A file that names organisations the registry lacks goes through
    a preview (new organisations and people) and is written only when the organiser confirms."""
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_import(request, network)
    form = ImportPeopleForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        report = services.import_people(
            network=network, file=data, dry_run=form.cleaned_data["dry_run"]
        )
        if report.only_organisations_to_confirm:
            return _keep_and_preview(request, network, report, [services.ImportSource(data=data)])
        if report.ok and not report.dry_run:
            _import_finished(request, network, report)
            return redirect("partners:organiser_network", slug=network.slug)
    return render(
        request,
        "partners/organiser_import.html",
        {"network": network, "form": form, "report": report},
    )


@network_organiser_required
@require_safe
def organiser_import_template(request: HttpRequest, network: Network) -> HttpResponse:
    """An empty CSV in the format Norwegian Excel opens directly (UTF-8 BOM, semicolons)."""
    if (get_language() or "nb").startswith("en"):
        header = ["name", "email", "organisation", "title", "phone", "language", "role"]
    else:
        header = ["navn", "e-post", "organisasjon", "tittel", "telefon", "språk", "rolle"]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(header)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="%s-people.csv"' % network.slug
    return response


@organiser_required
@require_safe
def organiser_organisations(request: HttpRequest) -> HttpResponse:
    search_form = OrganisationSearchForm(request.GET or None)
    search = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    paginator = Paginator(organisation_registry(search=search), ORGANISATIONS_PER_PAGE)
    return render(
        request,
        "partners/organiser_organisations.html",
        {
            "search_form": search_form,
            "search": search,
            "page": paginator.get_page(request.GET.get("page")),
        },
    )


@organiser_required
@require_http_methods(["GET", "HEAD", "POST"])
def organiser_organisation_add(request: HttpRequest) -> HttpResponse:
    """Any organiser may add an organisation: the registry is shared (see services)."""
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(**form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("%(name)s was added to the registry.") % {"name": organisation.name}
            )
            return redirect("partners:organiser_organisations")
    return render(
        request,
        "partners/organiser_organisation_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )
