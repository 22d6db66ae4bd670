"""Many labelers at once: each pulls work (leases), opens and saves segments through the same
domain functions as the label page, for a fixed time; on SQLite and PostgreSQL.

    python -m bench.teams [--database sqlite|postgresql|both] [--labelers 20] [--seconds 30]
                          [--double-share 0.1]

Prints saves per second per database and checks what the test (tests/test_concurrency.py) checks
(the simulation and the checks are tests/labeler_crowd.py's, shared with that test):
no segment labeled by two people (a double-labeled one by exactly one more, never the same
person, whose text is kept as its second labeling), no lost update, no error but clear conflicts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy

from speechlabel.store import Store
from speechlabel.workspace.config import Settings
from tests.labeler_crowd import SimulationResult, build_pool, check, crowd, simulate

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def run(
    url: str, schema: str | None, labelers: int, seconds: float, segments: int, double_share: float
) -> SimulationResult:
    data = Path(tempfile.mkdtemp())
    store = Store.open(url, schema=schema)
    try:
        project = build_pool(store, Settings(data_dir=data), segments, double_share=double_share)
        result = simulate(store, project, crowd(store, project, labelers), seconds)
        problems = check(store, result)
        if problems:
            raise SystemExit("problems: " + "; ".join(problems))
        return result
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--labelers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--segments", type=int, default=20_000)
    parser.add_argument("--double-share", type=float, default=0.0, help="share of segments labeled twice")
    args = parser.parse_args()
    chosen = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for database in chosen:
        if database == "sqlite":
            url, schema = f"sqlite:///{tempfile.mkdtemp()}/teams.db", None
            result = run(url, schema, args.labelers, args.seconds, args.segments, args.double_share)
        else:
            schema = f"bench_teams_{uuid.uuid4().hex[:8]}"
            admin = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
            with admin.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            try:
                result = run(POSTGRES_URL, schema, args.labelers, args.seconds, args.segments, args.double_share)
            finally:
                with admin.begin() as connection:
                    connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()
        print(
            f"[{database}] {args.labelers} labelers for {result.seconds:.1f} s: {len(result.saves)} saves "
            f"+ {len(result.second_saves)} second labelings, "
            f"{result.saves_per_second:.1f} saves/s, {result.conflicts} conflicts, 0 errors, "
            f"no segment shared, no lost update"
        )


if __name__ == "__main__":
    main()
