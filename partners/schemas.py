"""API shapes for networks and organisations."""

from ninja import Field, Schema


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    organisation_number: str
    sector: str
    website: str


class HostOut(Schema):
    slug: str = Field(..., description="What an event's `host` field takes.")
    name: str
    organisation: str | None = Field(None, description="Name of the host's organisation.")
    networks: list[str] = Field(..., description="Slugs of the networks it runs.")

    @staticmethod
    def resolve_organisation(host) -> str | None:
        return host.organisation.name if host.organisation_id else None

    @staticmethod
    def resolve_networks(host) -> list[str]:
        return [network.slug for network in host.networks.all()]


class MembershipOut(Schema):
    organisation: OrganisationOut
    role: str = Field(..., description="member or observer")


class NetworkOut(Schema):
    slug: str
    name: str
    kind: str = Field(..., description="partnership, thematic or project")
    description: str
    host_municipality: str
    parent: str | None = Field(None, description="Slug of the network this one is part of.")
    hosts: list[str] = Field(..., description="Slugs of the hosts (counties) that run it.")
    sdgs: list[int] = Field(..., description="Sustainable Development Goals, 1 to 17.")

    @staticmethod
    def resolve_parent(network) -> str | None:
        return network.parent.slug if network.parent_id else None

    @staticmethod
    def resolve_hosts(network) -> list[str]:
        return [host.slug for host in network.hosts.all()]


class NetworkDetailOut(NetworkOut):
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(network) -> list:
        return list(network.organisation_memberships.all())
