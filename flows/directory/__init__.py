"""The support-service directory: its records, HSDS import and export, matching and
orientation."""

from flows.directory.hsds_export import to_hsds_json, write_hsds_csv
from flows.directory.hsds_import import from_hsds_csv, from_hsds_json
from flows.directory.matching import Profile, match
from flows.directory.model import (
    TAXONOMIES,
    Directory,
    DirectoryError,
    Organisation,
    Place,
    Service,
    Term,
    load_directory,
)
from flows.directory.orientation import Orientation, describe, profile_of
from flows.directory.ports import DirectoryWork
from flows.directory.source import DirectorySource

__all__ = [
    "TAXONOMIES",
    "Directory",
    "DirectoryError",
    "DirectorySource",
    "DirectoryWork",
    "Organisation",
    "Orientation",
    "Place",
    "Profile",
    "Service",
    "Term",
    "describe",
    "from_hsds_csv",
    "from_hsds_json",
    "load_directory",
    "match",
    "profile_of",
    "to_hsds_json",
    "write_hsds_csv",
]
