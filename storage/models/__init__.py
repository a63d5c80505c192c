"""Every table of the store; importing this module registers them all on `Base.metadata`."""

from storage.models.organisations import Organisation, OrganisationMember, Territory
from storage.models.people import Identity, Person, PersonRole

__all__ = [
    "Identity",
    "Organisation",
    "OrganisationMember",
    "Person",
    "PersonRole",
    "Territory",
]
