"""Who: organisations, hosts, networks, people, memberships and organiser roles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .sdg import SDG_NAMES


def validate_organisation_number(value: str) -> None:
    """Norwegian organisation number: nine digits with a modulus-11 check digit."""
    if len(value) != 9 or not value.isdigit():
        raise ValidationError(_("An organisation number has exactly nine digits."), code="format")
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(d) * w for d, w in zip(value[:8], weights, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    if check == 10 or check != int(value[8]):
        raise ValidationError(_("This is not a valid organisation number."), code="checksum")


def validate_sdgs(value: list) -> None:
    if not isinstance(value, list) or any(
        not isinstance(g, int) or g not in SDG_NAMES for g in value
    ):
        raise ValidationError(_("Sustainable Development Goals are numbered 1 to 17."))


class Language(models.TextChoices):
    BOKMAL = "nb", _("Norwegian Bokmål")
    NYNORSK = "nn", _("Norwegian Nynorsk")
    ENGLISH = "en", _("English")


class Organisation(models.Model):
    class Sector(models.TextChoices):
        PUBLIC = "public", _("Public sector")
        PRIVATE = "private", _("Private sector")
        RESEARCH = "research", _("Research and education")
        LABOUR = "labour", _("Labour organisations")
        VOLUNTARY = "voluntary", _("Voluntary sector")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=9,
        blank=True,
        validators=[validate_organisation_number],
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_number"],
                condition=~models.Q(organisation_number=""),
                name="organisation_number_unique",
            ),
            # Names are told apart regardless of case (the service compares them so); the
            # database holds it too, so two organisers adding "Skien kommune" and "skien
            # kommune" at the same moment cannot both succeed.
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class Host(models.Model):
    """A county that runs partnerships and owns events."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    email = models.EmailField(_("organisers' mailbox"), blank=True)
    retention_days = models.PositiveIntegerField(
        _("days participants' data is kept after an event"), default=365
    )
    # The privacy notice (/personvern/<slug>/): where people ask about their data.
    privacy_email = models.EmailField(
        _("privacy contact email"),
        blank=True,
        help_text=_("Where people ask about their personal data; empty: the organisers' mailbox."),
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("data protection officer's email"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("host")
        verbose_name_plural = _("hosts")

    def __str__(self) -> str:
        return self.name

    def get_privacy_url(self) -> str:
        return reverse("partners:privacy_host", kwargs={"slug": self.slug})

    @property
    def privacy_contact(self) -> str:
        return self.privacy_email or self.email


class Network(models.Model):
    class Kind(models.TextChoices):
        PARTNERSHIP = "partnership", _("Partnership")
        THEMATIC = "thematic", _("Thematic network")
        PROJECT = "project", _("Project")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    hosts = models.ManyToManyField(Host, verbose_name=_("hosts"), related_name="networks")
    host_municipality = models.CharField(_("host municipality"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    sdgs = models.JSONField(
        _("Sustainable Development Goals"), default=list, blank=True, validators=[validate_sdgs]
    )
    # What the public page says about where the network comes from and whom to ask.
    founding_decision = models.CharField(
        _("founding decision"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the county council's case number, date and title."),
    )
    founding_decision_url = models.URLField(
        _("link to the founding decision"), max_length=500, blank=True
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_title = models.CharField(_("contact person's title"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact person's email"), blank=True)
    organisations: "models.ManyToManyField[Organisation, OrganisationMembership]" = (
        models.ManyToManyField(
            Organisation, through="OrganisationMembership", related_name="networks"
        )
    )
    people: "models.ManyToManyField[Person, PersonMembership]" = models.ManyToManyField(
        "Person", through="PersonMembership", related_name="networks"
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        if self.kind == self.Kind.PARTNERSHIP:
            return reverse("partners:partnership")
        return reverse("partners:network", kwargs={"slug": self.slug})

    def sdg_list(self) -> list[tuple[int, object]]:
        return [(goal, SDG_NAMES[goal]) for goal in sorted(self.sdgs) if goal in SDG_NAMES]


class OrganisationMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "organisation__name"]
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "organisation"], name="one_membership_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}) – {self.network}"


class Person(models.Model):
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.BOKMAL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(Lower("email"), name="person_email_unique_ci")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class PersonMembership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        MEMBER = "member", _("Member")
        CONTACT = "contact", _("Contact")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="person_memberships"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["person__name"]
        verbose_name = _("person membership")
        verbose_name_plural = _("person memberships")
        constraints = [
            models.UniqueConstraint(fields=["network", "person"], name="one_membership_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_role_display()}) – {self.network}"


class OrganiserRole(models.Model):
    """A user organises one network, or everything a host owns."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organiser_roles"
    )
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.CASCADE, related_name="organiser_roles"
    )
    host = models.ForeignKey(
        Host, null=True, blank=True, on_delete=models.CASCADE, related_name="organiser_roles"
    )

    class Meta:
        verbose_name = _("organiser role")
        verbose_name_plural = _("organiser roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(network__isnull=False, host__isnull=True)
                    | models.Q(network__isnull=True, host__isnull=False)
                ),
                name="organiser_role_network_xor_host",
            ),
            models.UniqueConstraint(
                fields=["user", "network"],
                name="organiser_role_network_unique",
                condition=models.Q(network__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "host"],
                name="organiser_role_host_unique",
                condition=models.Q(host__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.network or self.host}"


class OrganiserIdentity(models.Model):
    """A user's account at an OpenID Connect provider: the provider's issuer and its stable
    subject (`sub`), which is how single sign-on finds the user again (never the email alone:
    an address can change hands, a subject cannot)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organiser_identities"
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("organiser identity")
        verbose_name_plural = _("organiser identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_identity"),
            models.UniqueConstraint(fields=["user", "issuer"], name="one_identity_per_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.issuer}"
