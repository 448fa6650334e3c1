import factory

from partners.models import (
    Network,
    Organisation,
    OrganisationMembership,
    Person,
    PersonMembership,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: "Organisasjon %03d" % n)
    sector = Organisation.Sector.PUBLIC


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: "Nettverk %03d" % n)
    slug = factory.Sequence(lambda n: "nettverk-%03d" % n)
    kind = Network.Kind.THEMATIC
    sdgs = factory.LazyFunction(lambda: [3, 13])


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: "Person %03d" % n)
    email = factory.Sequence(lambda n: "person%03d@example.org" % n)
    organisation = factory.SubFactory(OrganisationFactory)
    title = "Rådgiver"


class PersonMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonMembership

    network = factory.SubFactory(NetworkFactory)
    person = factory.SubFactory(PersonFactory)
    role = PersonMembership.Role.MEMBER


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    network = factory.SubFactory(NetworkFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = OrganisationMembership.Role.MEMBER
