"""Matching profiles across the seed territories against the bundled directory."""

from __future__ import annotations

import pytest

from flows.directory.matching import Profile, match
from flows.directory.model import DirectoryError, load_directory, parse_directory

DIRECTORY = load_directory()


def profile(**values: object) -> Profile:
    needs = frozenset(values.pop("needs"))  # type: ignore[arg-type]
    targets = frozenset(values.pop("target_groups", ()))  # type: ignore[arg-type]
    return Profile(needs=needs, target_groups=targets, **values)  # type: ignore[arg-type]


def test_the_bundled_directory_is_consistent() -> None:
    services = list(DIRECTORY.services())
    assert len(DIRECTORY.organisations) >= 40 and len(services) >= 80
    for _, service in services:
        assert service.needs, service.slug


def test_a_place_is_matched_up_its_chain() -> None:
    assert [p.slug for p in DIRECTORY.chain("west-cork")] == [
        "west-cork",
        "county-cork",
        "ireland",
        "europe",
    ]
    assert DIRECTORY.find_place("vastra gotaland").slug == "vastra-gotaland"  # type: ignore[union-attr]
    assert DIRECTORY.find_place("Dunkerque").slug == "dunkerque"  # type: ignore[union-attr]
    assert DIRECTORY.find_place("Atlantis") is None


def test_west_cork_finance_ranks_local_then_national_with_reasons() -> None:
    result = match(DIRECTORY, profile(needs={"financing"}, place="west-cork", stage="start-up"))
    assert result.matches and not result.nearest
    reasons = [" ".join(m.reasons) for m in result.matches]
    assert all("offers financing" in r for r in reasons)
    assert any("serves West Cork" in r for r in reasons)
    assert any("serves Ireland" in r for r in reasons)
    names = [m.organisation.name for m in result.matches]
    assert "Clann Credo" in names
    # Nothing from another country serves West Cork.
    assert all(
        m.service.areas & {"west-cork", "county-cork", "ireland", "europe"} for m in result.matches
    )


def test_vastra_gotaland_women_credit_guarantee() -> None:
    result = match(
        DIRECTORY,
        profile(
            needs={"credit-guarantee"},
            place="vastra-gotaland",
            target_groups={"women"},
            stage="start-up",
            language="sv",
        ),
    )
    best = result.matches[0]
    assert "Västra Götaland" in best.organisation.name
    assert "for women" in best.reasons and "in Swedish" in best.reasons


def test_brussels_incubation_and_grenoble_women() -> None:
    brussels = match(DIRECTORY, profile(needs={"incubation"}, place="brussels"))
    assert any("Coopcity" in m.organisation.name for m in brussels.matches)
    grenoble = match(
        DIRECTORY, profile(needs={"coaching"}, place="grenoble", target_groups={"women"})
    )
    assert grenoble.matches
    assert all(m.service.status == "active" for m in grenoble.matches)


def test_historical_and_planned_offers_are_not_proposed() -> None:
    result = match(DIRECTORY, profile(needs={"equal-opportunities-information"}, place="messina"))
    assert all(m.service.status == "active" for m in result.matches)
    everything = match(
        DIRECTORY,
        profile(needs={"equal-opportunities-information"}, place="messina"),
        include_inactive=True,
        limit=50,
    )
    assert any(m.service.status != "active" for m in everything.matches)


def test_nothing_fits_gives_the_nearest_or_reports_the_need() -> None:
    nobody = match(DIRECTORY, profile(needs={"childcare"}, place="messina"))
    assert nobody.matches == () and nobody.unmet == {"childcare"}
    far = match(DIRECTORY, profile(needs={"credit-guarantee"}, place="west-cork"))
    assert far.nearest and far.matches
    assert any(r.startswith("outside your area") for r in far.matches[0].reasons)


def test_a_broken_directory_names_file_and_entry() -> None:
    with pytest.raises(DirectoryError) as caught:
        parse_directory(
            {"needs": [{"id": "financing", "label": "Financing"}]},
            [{"id": "europe", "name": "Europe", "level": "network", "parent": None}],
            [
                {
                    "id": "acme",
                    "name": "Acme",
                    "territory": "mars",
                    "services": [
                        {
                            "id": "acme-loans",
                            "name": "Loans",
                            "needs": ["flying"],
                            "service_areas": ["moon"],
                        }
                    ],
                }
            ],
            where="test",
        )
    text = str(caught.value)
    assert "organisation acme: territory 'mars' is not a place" in text
    assert "service acme-loans of acme: needs ['flying'] not in the vocabulary" in text
    assert "service area 'moon' is not a place" in text


def test_orientation_choices_are_vocabulary_ids() -> None:
    from flows.conversation.catalog import FlowCatalog
    from flows.conversation.definitions import MultipleStep, SingleStep

    flow = FlowCatalog.from_directory().get("orientation")
    taxonomies = {"stage": "stages", "needs": "needs", "sector": "sectors", "who": "target_groups"}
    for _, step in flow.steps():
        if step.id in taxonomies:
            assert isinstance(step, SingleStep | MultipleStep)
            known = set(DIRECTORY.vocabulary[taxonomies[step.id]])
            assert {c.id for c in step.choices} <= known, step.id
