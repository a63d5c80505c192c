"""Matching over 10,000 services, against a plain SQL filter over the same rows.

The matcher ranks every service in memory (needs, place chain, stage, whom, sector, language,
with reasons); the baseline is the bare SQL a simple filter would run on the same rows in
SQLite: services offering one of the needs in one of the places of the chain. Goal: the
matcher at most 2x the filter. Run: `.venv/bin/python -m benchmarks.matching [--services N]`.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time

from flows.directory import Directory, Organisation, Profile, Service, load_directory, match

NEEDS = ("financing", "training", "coaching", "networking", "legal", "incubation", "grant")
STAGES = ("ideation", "start-up", "development", "scaling-up", "sustainability")
TARGETS = ("women", "young-people", "migrants", "social-economy-organisations", "unemployed")


def synthetic(count: int, seed: int = 7) -> Directory:
    """The bundled vocabulary and places, with `count` made-up services spread over them."""
    base = load_directory()
    rng = random.Random(seed)
    places = sorted(base.places)
    organisations = []
    for n in range(count // 5):
        services = tuple(
            Service(
                slug=f"s{n}-{k}",
                organisation=f"o{n}",
                name=f"Service {n}-{k}",
                description="",
                needs=frozenset(rng.sample(NEEDS, rng.randint(1, 3))),
                stages=frozenset(rng.sample(STAGES, rng.randint(0, 2))),
                target_groups=frozenset(rng.sample(TARGETS, rng.randint(0, 2))),
                areas=frozenset(rng.sample(places, rng.randint(1, 2))),
                languages=frozenset({rng.choice(("en", "fr", "it", "es", "sv"))}),
            )
            for k in range(5)
        )
        organisations.append(
            Organisation(f"o{n}", f"Org {n}", "", rng.choice(places), services=services)
        )
    return Directory(base.vocabulary, base.places, tuple(organisations))


def sqlite_copy(directory: Directory) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE needs (service TEXT, need TEXT)")
    db.execute("CREATE TABLE areas (service TEXT, area TEXT)")
    db.executemany(
        "INSERT INTO needs VALUES (?, ?)",
        [(s.slug, n) for _, s in directory.services() for n in s.needs],
    )
    db.executemany(
        "INSERT INTO areas VALUES (?, ?)",
        [(s.slug, a) for _, s in directory.services() for a in s.areas],
    )
    db.execute("CREATE INDEX ix_needs ON needs (need, service)")
    db.execute("CREATE INDEX ix_areas ON areas (service, area)")
    return db


def best_of(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    directory = synthetic(args.services)
    db = sqlite_copy(directory)
    profile = Profile(
        needs=frozenset({"financing", "coaching"}),
        stage="start-up",
        place="west-cork",
        target_groups=frozenset({"women"}),
        language="en",
    )
    chain = [p.slug for p in directory.chain("west-cork")]
    query = (
        "SELECT DISTINCT n.service FROM needs n JOIN areas a ON a.service = n.service "
        f"WHERE n.need IN (?, ?) AND a.area IN ({', '.join('?' * len(chain))})"
    )
    params = [*sorted(profile.needs), *chain]
    filtered = len(db.execute(query, params).fetchall())
    baseline = best_of(args.runs, lambda: db.execute(query, params).fetchall())
    matched = best_of(args.runs, lambda: match(directory, profile, limit=10))
    print(f"services                  {args.services:10d} ({filtered} pass the SQL filter)")
    print(f"plain SQL filter          {baseline * 1000:10.2f} ms (baseline)")
    print(f"ranked match with reasons {matched * 1000:10.2f} ms")
    print(f"match / filter            {matched / baseline:10.2f}x   (goal: at most 2x)")


if __name__ == "__main__":
    main()
