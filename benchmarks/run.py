"""Benchmarks of immunoref against the floors its issue sets, each a ratio measured in the same run.

    python benchmarks/run.py                       # everything, scale at 10k, 100k and 1M records
    python benchmarks/run.py --scale 1000,10000    # smaller scale runs
    python benchmarks/run.py --no-scale

Prints a table and writes it to benchmarks/RESULTS.md with the command that produced it. Cold timings
run each command in a fresh interpreter, alternating candidate and floor so that load on the machine
affects both alike; the figure kept is the median.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import synthetic  # noqa: E402  (the benchmarks folder is not a package)


@dataclass
class Result:
    """One measured figure: what, the candidate's and the floor's time, the ratio and its target."""

    name: str
    candidate: float
    floor: float
    ratio: float
    target: str
    met: bool
    unit: str = "s"


def cold(code: str, *, repeat: int) -> list[float]:
    """Wall times of `python -c code` in fresh interpreters."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=tempfile.gettempdir())
        times.append(time.perf_counter() - start)
    return times


def paired(candidate: str, floor: str, *, repeat: int) -> tuple[float, float]:
    """Median cold times of two snippets, run alternately."""
    ours, theirs = [], []
    cold(candidate, repeat=1), cold(floor, repeat=1)  # warm the file cache and the .pyc files
    for _ in range(repeat):
        ours += cold(candidate, repeat=1)
        theirs += cold(floor, repeat=1)
    return statistics.median(ours), statistics.median(theirs)


def best(run: Callable[[], object], *, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_import(repeat: int) -> Result:
    ours, bare = paired("import immunoref", "pass", repeat=repeat)
    extra_ms = (ours - bare) * 1000
    return Result("cold `import immunoref` minus bare startup", ours, bare, extra_ms, "<= 30 ms", extra_ms <= 30, "ms")


def bench_loads(repeat: int) -> list[Result]:
    from immunoref._paths import PACKAGE_DATA
    from immunoref.tables import TABLES

    results = []
    for table in TABLES:
        path = str(PACKAGE_DATA / f"{table}.parquet")
        ours, floor = paired(
            f"import immunoref; immunoref.load({table!r})",
            "import pandas as pd, pyarrow.parquet as pq; "
            f"pq.read_table({path!r}).to_pandas(types_mapper=pd.ArrowDtype)",
            repeat=repeat,
        )
        results.append(
            Result(
                f"cold load('{table}') / cold pq.read_table().to_pandas()",
                ours,
                floor,
                ours / floor,
                "<= 1.10",
                ours / floor <= 1.10,
            )
        )
    return results


def bench_validate(data: Path, repeat: int) -> Result:
    import yaml

    from immunoref.validation import check_paths, find_record_files

    files = [path for path, _ in find_record_files([data])]
    parse = best(lambda: [yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader) for f in files], repeat=repeat)
    validate = best(lambda: check_paths([data]), repeat=repeat)
    speed = parse / validate
    return Result(
        f"validate data/ ({len(files)} files): speed vs CSafeLoader parse",
        validate,
        parse,
        speed,
        ">= 0.8",
        speed >= 0.8,
    )


#: Target of rows that give context to a figure and are not themselves held to a floor.
CONTEXT = "context, no target"


def bench_bulk(records: int, repeat: int, frictionless: str) -> list[Result]:
    """pydantic bulk validation of records vs `frictionless validate` of the same rows as tables.

    The first row is the issue's figure: validate_bulk with its result dropped inside the timed region (so
    freeing the ~35 models per record counts, as it does for a caller that discards them) against the CLI's
    wall time, interpreter startup included; both are the best of `repeat` runs. Two rows of context follow,
    held to no target, so that nobody reads more into the ratio than it measures: our time with the result
    kept alive (freeing not timed), and the CLI's time minus its time on a one-record package (its startup
    and imports), which is what frictionless spends on the rows themselves.
    """
    from immunoref.build import ProjectPaths, build_dataset
    from immunoref.sources import read_source
    from immunoref.tables import TABLES
    from immunoref.validation import find_record_files, validate_bulk

    with tempfile.TemporaryDirectory(prefix="immunoref-bulk-") as folder:
        project = synthetic.generate(records, Path(folder) / "project")
        raw = [read_source(path).data for path, _ in find_record_files([project / "data"])]
        ours = best(lambda: validate_bulk(raw), repeat=repeat)
        kept: list[float] = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = validate_bulk(raw)
            kept.append(time.perf_counter() - start)
            del result
        ours_kept = min(kept)
        build_dataset(ProjectPaths(project))
        package = _tabular_package(project, Path(folder) / "package", TABLES)
        tiny = synthetic.generate(1, Path(folder) / "tiny")
        build_dataset(ProjectPaths(tiny))
        tiny_package = _tabular_package(tiny, Path(folder) / "tiny-package", TABLES)
        theirs = best(lambda: _frictionless(frictionless, package), repeat=repeat)
        startup = best(lambda: _frictionless(frictionless, tiny_package), repeat=repeat)
    rows = theirs - startup
    return [
        Result(
            f"bulk validation of {records} records / frictionless validate of their rows",
            ours,
            theirs,
            theirs / ours,
            ">= 10x faster",
            theirs / ours >= 10,
            "x",
        ),
        Result(
            "bulk, our result kept alive (freeing the models not timed) / frictionless validate",
            ours_kept,
            theirs,
            theirs / ours_kept,
            CONTEXT,
            True,
            "x",
        ),
        Result(
            f"bulk / frictionless validate minus its {startup:.2f} s on a one-record package (rows only)",
            ours,
            rows,
            rows / ours,
            CONTEXT,
            True,
            "x",
        ),
    ]


def _tabular_package(project: Path, out: Path, tables: tuple[str, ...]) -> Path:
    """The built tables as CSV with a Table Schema each, described by one datapackage.json."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from immunoref.tables import COLUMNS

    out.mkdir()
    kinds = {
        "string": "string",
        "date": "date",
        "bool": "boolean",
        "float": "number",
        "list": "string",
        "category": "string",
    }
    resources = []
    for table in tables:
        arrow = pq.read_table(project / "immunoref" / "_data" / f"{table}.parquet")
        columns = []
        for column in COLUMNS[table]:
            data = arrow.column(column.name)
            if column.kind == "list":
                data = pc.binary_join(data, ";")
            elif column.kind == "category":
                data = data.cast("string")
            columns.append(data)
        pacsv.write_csv(arrow.from_arrays(columns, names=arrow.column_names), out / f"{table}.csv")
        fields = []
        for column in COLUMNS[table]:
            field = {"name": column.name, "type": kinds[column.kind]}
            if not column.nullable and column.kind != "list":  # an empty list is an empty cell
                field["constraints"] = {"required": True}
            if column.categories:
                field.setdefault("constraints", {})["enum"] = list(column.categories)
            fields.append(field)
        resources.append(
            {"name": table, "path": f"{table}.csv", "profile": "tabular-data-resource", "schema": {"fields": fields}}
        )
    (out / "datapackage.json").write_text(json.dumps({"name": "immunoref-bench", "resources": resources}))
    return out / "datapackage.json"


def frictionless_command() -> str | None:
    """The frictionless console script of this interpreter's environment, else the one on PATH.

    Looking beside sys.executable first lets `/path/to/venv/bin/python benchmarks/run.py` work without
    activating the environment, and times the frictionless installed with the immunoref being measured.
    """
    beside = Path(sys.executable).parent / "frictionless"
    return str(beside) if beside.is_file() else shutil.which("frictionless")


def _frictionless(command: str, package: Path) -> None:
    result = subprocess.run([command, "validate", "--json", str(package)], capture_output=True, text=True, check=False)
    if '"valid": true' not in result.stdout:
        raise RuntimeError(f"frictionless found the benchmark package invalid: {result.stdout[:2000]}")


def bench_scale(counts: list[int], keep: bool, repeat: int) -> list[Result | str]:
    """validate and build of synthetic data at each size: time, peak memory, growth per tenfold.

    Every size below the largest runs `repeat` times and its median is kept; the largest runs once, as one
    run of it lasts longer than all the others together and so already spans the machine's swings. The runs
    are interleaved in rounds (10k, 100k, 1M; 10k, 100k; 10k, 100k) rather than back to back, so that the
    repeats of a size fall before and after the long run instead of in one stretch of the machine's day.
    """
    counts = sorted(counts)
    folders: dict[int, Path] = {}
    generated: dict[int, float] = {}
    for count in counts:
        folders[count] = Path(tempfile.gettempdir()) / f"immunoref-scale-{count}"
        start = time.perf_counter()
        synthetic.generate(count, folders[count])
        generated[count] = time.perf_counter() - start
    _settle()
    largest = max(counts)
    runs: dict[tuple[str, int], list[tuple[float, int]]] = {}
    try:
        for round_number in range(max(repeat, 1)):
            for count in counts:
                if round_number > 0 and count == largest:
                    continue
                for command in (["validate", str(folders[count] / "data")], ["build", "--root", str(folders[count])]):
                    seconds, peak = _measure([sys.executable, "-m", "immunoref", *command])
                    runs.setdefault((command[0], count), []).append((seconds, peak))
                    # an hour-long run shows where it is
                    print(
                        f"{command[0]} {count:,}: {seconds:.1f} s, {peak / 1024:.0f} MiB", file=sys.stderr, flush=True
                    )
                    _settle()
    finally:  # a failed run must not leave gigabytes of synthetic records in the temporary folder
        if not keep:
            for folder in folders.values():
                shutil.rmtree(folder, ignore_errors=True)
    return _scale_rows(counts, runs, generated)


def _scale_rows(
    counts: list[int], runs: dict[tuple[str, int], list[tuple[float, int]]], generated: dict[int, float]
) -> list[Result | str]:
    """One table row per command and size (median time, range, highest peak), then each tenfold's growth."""
    rows: list[str] = []
    growth: list[Result] = []
    for verb in ("validate", "build"):
        previous: tuple[int, float] | None = None
        for count in counts:
            times = [seconds for seconds, _ in runs[verb, count]]
            median = statistics.median(times)
            spread = f"{min(times):.1f}-{max(times):.1f} s" if len(times) > 1 else "-"
            peak = max(kib for _, kib in runs[verb, count])
            rows.append(
                f"| {verb} | {count:,} | {len(times)} | {median:.1f} s | {spread} | {peak / 1024:.0f} MiB | "
                f"{median / count * 1e6:.0f} µs | generated in {generated[count]:.0f} s |"
            )
            if previous is not None:
                before_count, before_seconds = previous
                size = count / before_count
                ratio = median / before_seconds
                growth.append(
                    Result(
                        f"{verb}: time growth {before_count:,} -> {count:,} records ({size:.0f}x)",
                        median,
                        before_seconds,
                        ratio,
                        f"<= {size * 1.1:.0f}x",
                        ratio <= size * 1.1,
                        "x",
                    )
                )
            previous = (count, median)
    return [*growth, *rows]


def _settle() -> None:
    """Write out what the generator or the last command left dirty (4 GB at a million records), so that the
    kernel's write-back does not land on the next timed command's two cores and disk."""
    os.sync()
    time.sleep(5)


#: Runs a command and prints its peak resident memory. A child's ru_maxrss starts from its parent's size at
#: fork time (Linux carries the high-water mark across fork and exec), so measuring straight from this
#: process, which holds the bulk benchmark's records, would report this process's size, not the command's.
_PEAK_OF = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def _measure(command: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory (KiB) of one command, which must succeed; measured through a small
    launcher process (see _PEAK_OF)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK_OF, *command], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return seconds, int(done.stdout.split()[-1])


def render(results: list[Result], scale: list[Result | str], command: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` on {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores. Every ratio is measured against its floor in the same run.",
        "",
        "| benchmark | immunoref | floor | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in results + [s for s in scale if isinstance(s, Result)]:
        value = f"{r.ratio:.1f} ms" if r.unit == "ms" else f"{r.ratio:.2f}" + ("x" if r.unit == "x" else "")
        met = "-" if r.target == CONTEXT else "yes" if r.met else "NO"
        lines.append(f"| {r.name} | {r.candidate:.3f} s | {r.floor:.3f} s | {value} | {r.target} | {met} |")
    runs = [s for s in scale if isinstance(s, str)]
    if runs:
        lines += [
            "",
            "## Scale (synthetic records, `benchmarks/synthetic.py`)",
            "",
            "| command | records | runs | wall time (median) | range | peak memory | per record | note |",
            "|---|---|---|---|---|---|---|---|",
            *runs,
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="cold runs per snippet (default 15)")
    parser.add_argument("--scale", default="10000,100000,1000000", help="record counts for the scale runs")
    parser.add_argument(
        "--scale-repeat", type=int, default=5, help="runs of each size but the largest, which runs once (default 5)"
    )
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--bulk", type=int, default=5000, help="records for the bulk validation benchmark")
    parser.add_argument("--keep", action="store_true", help="keep the synthetic projects")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    frictionless = frictionless_command()
    if frictionless is None:
        parser.exit(2, "run.py: frictionless is not installed; pip install -e '.[dev]' provides it\n")
    gc.collect()
    results = [
        bench_import(args.repeat),
        *bench_loads(args.repeat),
        bench_validate(ROOT / "data", 5),
        *bench_bulk(args.bulk, 3, frictionless),
    ]
    scale = [] if args.no_scale else bench_scale([int(n) for n in args.scale.split(",")], args.keep, args.scale_repeat)
    command = "python benchmarks/run.py " + " ".join(sys.argv[1:])
    text = render(results, scale, command.strip())
    sys.stdout.write(text)
    args.out.write_text(text, encoding="utf-8")
    return 0 if all(r.met for r in results + [s for s in scale if isinstance(s, Result)]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
