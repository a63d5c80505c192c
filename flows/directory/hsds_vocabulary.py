"""How deseo's directory maps onto Open Referral HSDS 3.0: the taxonomies, fields, statuses and
tables that the export writes and the import reads.

- Organisations and services are HSDS `organization` and `service` records. HSDS ids are
  UUIDs, so ids are derived from deseo's slugs (UUID 5, always the same for the same slug) and
  the slug itself travels in an attribute.
- The vocabulary (stages, needs, target groups, sectors) is four HSDS taxonomies,
  `deseo-stages`, `deseo-needs`, `deseo-target-groups` and `deseo-sectors`, whose terms carry
  deseo's id in `code`; a service points at the terms it offers through `attribute` records.
- Places are a hierarchical taxonomy, `deseo-places`: one term per place, its slug in `code`,
  its parent in `parent_id`, so the whole territory tree (West Cork within County Cork within
  Ireland within the network) is kept, including places nothing refers to. A service's area
  is an HSDS `service_area` named after the place with an attribute pointing at the place's
  term; an organisation's territory is an attribute of the organisation pointing at one.
- What HSDS has no field for is an attribute pointing at a term of the `deseo-fields` taxonomy
  with the value in `value`: the slug (`id`), deseo's own status (`status`: HSDS gets active ->
  active, planned -> inactive, historical -> defunct), the seeds' `source`, a place's `level`
  and `country-code`, and a web address exactly as written (`as-written`) where HSDS got
  `https://` added in front of it.
- JSON is an object with `organizations` (each a full HSDS organization with its services,
  their service areas, languages and attributes, and their taxonomy terms inline) and
  `taxonomy_terms` (every term of every deseo taxonomy, so that terms no service uses yet and
  places nothing refers to are not lost), as the HSDS API serves them from `/organizations`
  and `/taxonomy_terms`. HSDS JSON cannot attach attributes to a taxonomy term, so a place
  term there carries an extra `attributes` list for its level and country code; CSV uses
  plain `attributes.csv` rows linked to the term.
- CSV follows the HSDS tabular package's file names: organizations.csv, services.csv,
  service_areas.csv, languages.csv, attributes.csv, taxonomies.csv, taxonomy_terms.csv.
"""

from __future__ import annotations

TO_HSDS_STATUS = {"active": "active", "planned": "inactive", "historical": "defunct"}
FROM_HSDS_STATUS = {
    "active": "active",
    "inactive": "planned",
    "temporarily closed": "planned",
    "defunct": "historical",
}

VOCABULARY_TAXONOMIES = {
    "stages": "deseo-stages",
    "needs": "deseo-needs",
    "target_groups": "deseo-target-groups",
    "sectors": "deseo-sectors",
}
PLACES = "deseo-places"
FIELDS = "deseo-fields"
TAXONOMY_DESCRIPTIONS = {
    "deseo-stages": "Stages of an enterprise that a service is for (deseo vocabulary).",
    "deseo-needs": "Needs of an entrepreneur that a service meets (deseo vocabulary).",
    "deseo-target-groups": "People or bodies a service is for (deseo vocabulary).",
    "deseo-sectors": "Sectors of activity a service works in (deseo vocabulary).",
    PLACES: "The places of the REVES network, each within its parent (deseo territories).",
    FIELDS: "deseo's own fields, given as attribute values.",
}
# Link types: what the term says about the record it is attached to.
LINK_TYPES = {
    "stages": "stage",
    "needs": "need",
    "target_groups": "target_group",
    "sectors": "sector",
}
FIELD_TERMS = {
    "id": ("deseo id", "The record's stable id in the deseo directory."),
    "status": ("deseo status", "active, planned or historical, as deseo records it."),
    "source": ("Source", "Where the seeds name or describe the record (file:line)."),
    "as-written": ("Address as written", "The web address as the sources give it."),
    "level": ("Place level", "network, country, region, province, city or area."),
    "country-code": ("Country code", "ISO 3166-1 alpha-2 code of the place's country."),
}

COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations.csv": ("id", "name", "alternate_name", "description", "website"),
    "services.csv": (
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "status",
        "eligibility_description",
    ),
    "service_areas.csv": ("id", "service_id", "name", "description", "extent", "extent_type"),
    "languages.csv": ("id", "service_id", "name", "code"),
    "attributes.csv": (
        "id",
        "link_id",
        "link_type",
        "link_entity",
        "taxonomy_term_id",
        "value",
        "label",
    ),
    "taxonomies.csv": ("id", "name", "description", "uri", "version"),
    "taxonomy_terms.csv": (
        "id",
        "code",
        "name",
        "description",
        "parent_id",
        "taxonomy",
        "taxonomy_id",
    ),
}

Row = dict[str, str]
Tables = dict[str, list[Row]]
