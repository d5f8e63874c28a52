"""Command line: parse arguments, call the library, report. Exit 0 ok, 1 invalid data, 2 usage."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from immunoref.grounding import Vocabularies
    from immunoref.models import Indication, Therapy
    from immunoref.validation import Issue

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the return value is the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:  # `immunoref show x | head` closed the pipe: not an error
        sys.stderr.close()
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="immunoref", description="Reference dataset of cancer immunotherapies, each fact with its source."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    info = commands.add_parser("info", help="dataset version and counts per table and class")
    info.set_defaults(run=_info)

    show = commands.add_parser("show", help="a readable card of one agent")
    show.add_argument("agent_id")
    show.add_argument("--as-of", metavar="DATE", help="only approvals granted by DATE (YYYY-MM-DD) and standing then")
    show.set_defaults(run=_show)

    validate = commands.add_parser("validate", help="check source records; every problem at once")
    validate.add_argument("paths", nargs="*", type=Path, help="record files or folders (default: data)")
    validate.add_argument("--format", choices=("text", "json", "github"), default="text")
    validate.add_argument("--strict", action="store_true", help="fail on warnings too")
    validate.add_argument(
        "--reference",
        type=Path,
        metavar="DIR",
        help="check identifiers against the full vocabularies in DIR (shared/reference) instead of the vendored subset",
    )
    validate.set_defaults(run=_validate)

    new = commands.add_parser("new", help="write a commented source-record template to fill in")
    new.add_argument("therapy_class", metavar="CLASS", help="therapy class, e.g. car_t")
    new.add_argument("agent_id", metavar="AGENT_ID", help="lowercase slug of the INN, e.g. obecabtagene-autoleucel")
    new.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")
    new.set_defaults(run=_new)

    build = commands.add_parser("build", help="data/ -> immunoref/_data/*.parquet and schemas/")
    build.add_argument("--root", type=Path, default=Path(), help="project folder holding data/ (default: .)")
    build.set_defaults(run=_build)

    release = commands.add_parser("release", help="a versioned, checksummed bundle and archive; never overwrites")
    release.add_argument("version", metavar="VERSION", help="MAJOR.MINOR.PATCH, equal to the version in pyproject.toml")
    release.add_argument("--out", type=Path, default=Path("dist"), help="folder of releases (default: dist)")
    release.add_argument("--root", type=Path, default=Path(), help="project folder holding data/ (default: .)")
    release.set_defaults(run=_release)

    verify = commands.add_parser("verify", help="check a release folder's checksums and schemas")
    verify.add_argument("folder", type=Path, metavar="RELEASE_DIR")
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.set_defaults(run=_verify)

    diff = commands.add_parser("diff", help="record-level changes between two release folders")
    diff.add_argument("old", type=Path, metavar="OLD")
    diff.add_argument("new", type=Path, metavar="NEW")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(run=_diff)

    export = commands.add_parser("export", help="the tables as CSV, JSON Lines or a SQLite database")
    export.add_argument("--format", choices=("csv", "jsonl", "sqlite"), required=True)
    export.add_argument("out", type=Path, metavar="OUT", help="a folder for csv and jsonl, a file for sqlite")
    export.add_argument("--release", type=Path, metavar="DIR", help="export this release folder, not the package")
    export.add_argument("--force", action="store_true", help="replace OUT if it exists")
    export.set_defaults(run=_export)
    site = commands.add_parser("site", help="write the browsable catalogue: a static HTML site of one release")
    site.add_argument("out", type=Path, metavar="OUT", help="folder to write (new, empty, or a site written before)")
    site.add_argument("--release", type=Path, metavar="DIR", help="release folder to show (default: the packaged data)")
    site.set_defaults(run=_site)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("immunoref")
    except PackageNotFoundError:
        return "unknown"


def _info(args: argparse.Namespace) -> int:
    from immunoref._paths import PACKAGE_DATA

    manifest = json.loads((PACKAGE_DATA / "manifest.json").read_text(encoding="utf-8"))
    out = sys.stdout
    out.write(f"immunoref {_version()} (dataset {manifest['dataset_version']})\n\nrows per table\n")
    for table, count in manifest["rows"].items():
        out.write(f"  {table:<16}{count:>6}\n")
    out.write("\nagents per therapy class\n")
    for therapy_class, count in manifest["agents_per_class"].items():
        out.write(f"  {therapy_class:<22}{count:>4}\n")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from immunoref.loaders import UnknownAgentError, get

    try:
        therapy = get(args.agent_id)
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except UnknownAgentError as error:
        sys.stderr.write(f"immunoref show: {error}\n")
        return EXIT_USAGE
    except ValueError:
        sys.stderr.write(f"immunoref show: --as-of takes a date, YYYY-MM-DD: {args.as_of!r}\n")
        return EXIT_USAGE
    sys.stdout.write(render_card(therapy, as_of=as_of))
    return EXIT_OK


def _standing(indication: Indication, as_of: dt.date) -> bool:
    """Granted on or before as_of and not withdrawn by then (undated approvals cannot be placed)."""
    granted = indication.approval_date is not None and indication.approval_date <= as_of
    return granted and (indication.withdrawn_date is None or indication.withdrawn_date > as_of)


def render_card(therapy: Therapy, *, as_of: dt.date | None = None) -> str:
    """A plain-text card of one agent: identity, mechanism, class facts, targets, indications, toxicities.

    With as_of, the indications are those standing on that day, as a reader of the label then saw them.
    """
    from immunoref.models import AgentBase

    indications = list(therapy.indications)
    if as_of is not None:
        indications = [i for i in indications if _standing(i, as_of)]
    lines = [f"{therapy.name} ({therapy.agent_id})", "=" * (len(therapy.name) + len(therapy.agent_id) + 3)]
    brands = ", ".join(therapy.brand_names) or "-"
    lines += [
        f"class       {therapy.therapy_class} / {therapy.subclass}",
        f"status      {therapy.status}",
        f"brands      {brands}",
        f"DrugBank    {therapy.drugbank_id or '-'}    ChEMBL {therapy.chembl_id or '-'}",
    ]
    specific = [name for name in type(therapy).model_fields if name not in AgentBase.model_fields]
    for name in specific:
        value = getattr(therapy, name)
        if value not in (None, []):
            lines.append(f"{name:<12}{', '.join(value) if isinstance(value, list) else value}")
    lines += ["", "mechanism", *_wrap(therapy.mechanism), ""]
    lines.append(f"targets ({len(therapy.targets)})")
    for target in therapy.targets:
        ids = ", ".join(i for i in (target.hgnc_id, target.uniprot_id) if i)
        lines.append(f"  {target.label:<10} {target.action:<9} {ids}")
    heading = f"indications ({len(indications)}" + (f" standing on {as_of})" if as_of else ")")
    lines += ["", heading]
    if as_of is not None and not indications:
        lines.append(f"  none: {therapy.agent_id} had no approval standing on {as_of}")
    for ind in sorted(indications, key=lambda i: (i.approval_date is None, i.approval_date, i.agency)):
        date = ind.approval_date.isoformat() if ind.approval_date else "date unknown"
        extras = [x for x in (ind.setting, ind.line_of_therapy, ind.biomarker) if x]
        if ind.combination_with:
            extras.append("with " + ", ".join(ind.combination_with))
        withdrawn = f"  [withdrawn {ind.withdrawn_date}]" if ind.status == "withdrawn" else ""
        kind = ind.approval_type or "type ?"
        lines.append(f"  {date}  {ind.agency:<5} {kind:<11} {ind.disease}{withdrawn}")
        if extras:
            lines.append(f"{'':32}{'; '.join(extras)}")
    lines += ["", f"toxicities ({len(therapy.toxicities)})"]
    for tox in sorted(therapy.toxicities, key=lambda t: (not t.boxed_warning, t.label_section)):
        mark = "BOXED " if tox.boxed_warning else "      "
        pct = f"{tox.incidence_pct:g}%" if tox.incidence_pct is not None else ""
        lines.append(f"  {mark}{tox.term} ({tox.mesh_id}) {pct}".rstrip())
    lines += ["", f"references ({len(therapy.references)})"]
    lines += [f"  [{r.reference_id}] {r.title}\n      {r.url}" for r in therapy.references]
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int = 88) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="  ")


def _validate(args: argparse.Namespace) -> int:
    from immunoref.spill import ScratchError
    from immunoref.validation import check_stream, issue_order

    paths = args.paths or [Path("data")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        sys.stderr.write(f"immunoref validate: no such file or folder: {', '.join(map(str, missing))}\n")
        return EXIT_USAGE
    vocabularies = None
    if args.reference is not None:
        from immunoref.grounding import REFERENCE_FILES

        absent = [name for name in REFERENCE_FILES if not (args.reference / name).is_file()]
        if absent:
            sys.stderr.write(f"immunoref validate: {args.reference} lacks {', '.join(absent)}\n")
            return EXIT_USAGE
        try:
            vocabularies = _reference_vocabularies(args.reference, paths)
        except (OSError, EOFError, ValueError, KeyError) as error:  # a damaged vocabulary file
            sys.stderr.write(f"immunoref validate: cannot read the vocabularies in {args.reference}: {error}\n")
            return EXIT_USAGE
    issues: list[Issue] = []
    try:
        for _, found in check_stream(paths, vocabularies=vocabularies, progress=_progress("validating")):
            issues.extend(found)
    except ScratchError as error:
        sys.stderr.write(f"immunoref validate: {error}\n")
        return EXIT_INVALID
    issues.sort(key=issue_order)
    report_issues(issues, args.format, sys.stdout)
    failing = [i for i in issues if i.severity == "error" or args.strict]
    return EXIT_INVALID if failing else EXIT_OK


def _progress(verb: str) -> Callable[[int, int], None] | None:
    """A progress line on a terminal for long runs; nothing when stderr is piped or a file."""
    if not sys.stderr.isatty():
        return None
    step = 0

    def show(done: int, total: int) -> None:
        nonlocal step
        if total < 2_000:  # short runs finish before a bar would help
            return
        if done == total or done * 100 // total > step:
            step = done * 100 // total
            bar = "#" * (step // 4)
            sys.stderr.write(f"\r{verb} [{bar:<25}] {done}/{total} files")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


def _reference_vocabularies(reference: Path, paths: Sequence[Path]) -> Vocabularies:
    from immunoref.grounding import collect_identifiers, subset_vocabularies
    from immunoref.sources import SourceError, read_source
    from immunoref.validation import find_record_files

    records = []
    for file, root in find_record_files(paths):
        try:
            records.append(read_source(file, root=root).data)
        except SourceError:
            continue  # validation reports it
    return subset_vocabularies(reference, collect_identifiers(records))


def report_issues(issues: Sequence[Issue], fmt: str, out: TextIO) -> None:
    """Print issues as text lines with hints, as JSON, or as GitHub workflow annotations."""
    if fmt == "json":
        out.write(json.dumps([issue.model_dump() for issue in issues], indent=2, ensure_ascii=False) + "\n")
        return
    for issue in issues:
        where = ":".join(str(part) for part in (issue.file, issue.line, issue.column) if part is not None)
        field = f"{issue.field}: " if issue.field else ""
        if fmt == "github":
            position = "".join(f",{k}={v}" for k, v in (("line", issue.line), ("col", issue.column)) if v is not None)
            text = f"{field}{issue.message}" + (f" (hint: {issue.hint})" if issue.hint else "")
            out.write(f"::{issue.severity} file={issue.file}{position},title={issue.code}::{_escape(text)}\n")
        else:
            level = "" if issue.severity == "error" else "warning: "
            out.write(f"{where}: {level}{field}{issue.message} [{issue.code}]\n")
            if issue.hint:
                out.write(f"  hint: {issue.hint}\n")
    if fmt == "text":
        errors = sum(1 for i in issues if i.severity == "error")
        warnings = len(issues) - errors
        out.write(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}\n")


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _new(args: argparse.Namespace) -> int:
    import datetime as dt
    import re

    from immunoref.models import SLUG
    from immunoref.templates import render_template
    from immunoref.validation import choices_hint
    from immunoref.vocabularies import THERAPY_CLASSES

    if args.therapy_class not in THERAPY_CLASSES:
        hint = choices_hint(args.therapy_class, THERAPY_CLASSES)
        sys.stderr.write(f"immunoref new: {args.therapy_class!r} is not a therapy class; {hint}\n")
        return EXIT_USAGE
    if not re.match(SLUG, args.agent_id):
        sys.stderr.write(
            f"immunoref new: {args.agent_id!r} is not a lowercase slug (letters, digits, single hyphens):"
            " e.g. obecabtagene-autoleucel\n"
        )
        return EXIT_USAGE
    existing = sorted(args.data.glob(f"*/{args.agent_id}.yaml"))
    if existing:
        sys.stderr.write(f"immunoref new: {existing[0]} already exists; edit it instead\n")
        return EXIT_USAGE
    path = args.data / args.therapy_class / f"{args.agent_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_template(args.therapy_class, args.agent_id, str(path), dt.date.today()), encoding="utf-8")
    sys.stdout.write(
        f"wrote {path}\nfill in every TODO (docs/record-format.md, CONTRIBUTING.md), then run:\n"
        f"  immunoref validate --reference ../shared/reference {path}\n"
    )
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from immunoref.build import ProjectPaths, build_dataset

    paths = ProjectPaths(args.root)
    if not paths.data.is_dir() or not (paths.root / "pyproject.toml").is_file():
        sys.stderr.write(
            f"immunoref build: {paths.root.resolve()} is not an immunoref project (needs data/ and pyproject.toml)\n"
        )
        return EXIT_USAGE
    try:
        result = build_dataset(paths, progress=_progress("building"))
    except OSError as error:  # the disk filled up, or no room for temporary working data
        sys.stderr.write(f"immunoref build: could not write the outputs: {error}; nothing written\n")
        return EXIT_INVALID
    if result.errors:
        report_issues(result.issues, "text", sys.stderr)
        sys.stderr.write("immunoref build: nothing written; fix the errors above\n")
        return EXIT_INVALID
    warnings = len(result.issues)
    sys.stdout.write(
        f"built {result.agents} agents into {paths.package_data} and {paths.schemas}"
        f" ({warnings} warning{'s' * (warnings != 1)}; see `immunoref validate`)\n"
    )
    return EXIT_OK


def _release(args: argparse.Namespace) -> int:
    from immunoref.release import ReleaseError, make_release

    try:
        made = make_release(args.root, args.version, args.out)
    except ReleaseError as error:
        if error.issues:
            report_issues(error.issues, "text", sys.stderr)
        sys.stderr.write(f"immunoref release: {error}; nothing written\n")
        return EXIT_USAGE if error.usage else EXIT_INVALID
    except OSError as error:
        sys.stderr.write(f"immunoref release: could not write the release: {error}; nothing written\n")
        return EXIT_INVALID
    if made.bump is None:
        summary = "first release"
    else:
        needed, reason = made.diff.needed_bump()
        summary = f"{made.bump} release; the changes need {needed}: {reason}"
    sys.stdout.write(
        f"released immunoref {made.version} ({summary})\n"
        f"  {made.folder}{os.sep}  {made.files} files, listed in SHA256SUMS\n"
        f"  {made.archive}  sha256 {made.archive_sha256}\n"
    )
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from immunoref.verify import verify_release

    if not args.folder.is_dir():
        sys.stderr.write(f"immunoref verify: {args.folder} is not a folder\n")
        return EXIT_USAGE
    problems = verify_release(args.folder)
    if args.format == "json":
        sys.stdout.write(json.dumps([vars(p) for p in problems], indent=2, ensure_ascii=False) + "\n")
    elif problems:
        for problem in problems:
            sys.stdout.write(f"{problem.kind:<10} {problem.path}: {problem.message}\n")
        sys.stdout.write(f"{args.folder}: {len(problems)} problem{'s' * (len(problems) != 1)}\n")
    else:
        sys.stdout.write(f"{args.folder}: intact (every checksum and schema matches)\n")
    return EXIT_INVALID if problems else EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from immunoref.bundle_diff import diff_releases, read_snapshot, render_markdown

    snapshots = []
    for folder in (args.old, args.new):
        try:
            snapshots.append(read_snapshot(folder))
        except (ValueError, OSError) as error:
            sys.stderr.write(f"immunoref diff: {folder} is not a readable release: {error}\n")
            return EXIT_USAGE
    diff = diff_releases(*snapshots)
    if args.format == "json":
        sys.stdout.write(json.dumps(diff.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_markdown(diff))
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from immunoref.export import export_tables, read_tables

    try:
        tables = read_tables(args.release)
    except (ValueError, OSError) as error:
        sys.stderr.write(f"immunoref export: {error}\n")
        return EXIT_USAGE
    try:
        written = export_tables(tables, args.format, args.out, force=args.force)
    except (FileExistsError, IsADirectoryError) as error:
        sys.stderr.write(f"immunoref export: {error}\n")
        return EXIT_USAGE
    files = f" ({len(written)} files)" if args.format != "sqlite" else ""
    sys.stdout.write(f"exported {len(tables)} tables as {args.format} to {args.out}{files}\n")
    return EXIT_OK


def _site(args: argparse.Namespace) -> int:
    import time

    try:
        import jinja2  # noqa: F401 - only to tell a missing optional extra from other errors
    except ImportError:
        sys.stderr.write("immunoref site: the catalogue needs Jinja2: pip install 'immunoref[site]'\n")
        return EXIT_USAGE
    from immunoref.site import SiteError, build_site
    from immunoref.site.catalogue import CatalogueError

    started = time.perf_counter()
    try:
        result = build_site(args.out, release=args.release)
    except SiteError as error:
        sys.stderr.write(f"immunoref site: {error}\n")
        return EXIT_USAGE
    except (CatalogueError, OSError, ValueError) as error:  # an unreadable or inconsistent release
        sys.stderr.write(f"immunoref site: cannot show {args.release or 'the packaged data'}: {error}\n")
        return EXIT_INVALID
    seconds = time.perf_counter() - started
    sys.stdout.write(
        f"wrote {result.pages} pages ({result.files} files) of immunoref {result.release.dataset_version}"
        f" to {args.out} in {seconds:.1f} s; open {args.out / 'index.html'}\n"
    )
    return EXIT_OK
