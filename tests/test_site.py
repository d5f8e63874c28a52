"""The catalogue site without a browser: pages, determinism, accessible markup, escaping, release folders, CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path

import pytest
from conftest import REPO

from immunoref.cli import main
from immunoref.site import SiteError, build_site
from immunoref.site.builder import MARKER
from immunoref.site.catalogue import read_catalogue
from immunoref.site.timeline import count_approvals, render_svg
from immunoref.site.words import CLASS_COLOURS, CLASS_TITLES
from immunoref.tables import TABLES
from immunoref.vocabularies import THERAPY_CLASSES

PACKAGED = Path(str(files("immunoref") / "_data"))
DESIGN_CLASSES = ("checkpoint_inhibitor", "monoclonal_antibody", "vaccine", "car_t", "cytokine", "oncolytic_virus")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the packaged data, built once for the module."""
    return build_site(tmp_path_factory.mktemp("site") / "out").out


def release_folder(root: Path) -> Path:
    """A release folder laid out as `immunoref release` writes one: tables under data/, a datapackage.json."""
    folder = root / "immunoref-9.8.7"
    tables = folder / "data"
    tables.mkdir(parents=True)
    for table in TABLES:
        shutil.copy2(PACKAGED / f"{table}.parquet", tables / f"{table}.parquet")
    (folder / "datapackage.json").write_text('{"name": "immunoref", "version": "9.8.7"}', encoding="utf-8")
    return folder


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# -- what is written ---------------------------------------------------------------------------------------------


def test_one_page_per_agent_target_and_disease(site: Path) -> None:
    catalogue = read_catalogue(None)
    expected = {"index.html", "agents/index.html", "targets/index.html", "diseases/index.html", "downloads.html"}
    expected |= {f"agents/{a.agent_id}.html" for a in catalogue.agents}
    expected |= {f"targets/{t.slug}.html" for t in catalogue.targets}
    expected |= {f"diseases/{d.slug}.html" for d in catalogue.diseases}
    assert {p.relative_to(site).as_posix() for p in html_pages(site)} == expected
    assert (site / "targets" / "pdcd1.html").is_file()
    assert (site / "diseases" / "mondo-0005105.html").is_file()


def test_downloads_are_the_packaged_files(site: Path) -> None:
    for table in TABLES:
        assert (site / "downloads" / f"{table}.parquet").read_bytes() == (PACKAGED / f"{table}.parquet").read_bytes()
    page = (site / "downloads.html").read_text(encoding="utf-8")
    assert 'href="downloads/agents.parquet"' in page


def test_home_lists_every_class(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    for therapy_class in (*DESIGN_CLASSES, *THERAPY_CLASSES):
        assert f'data-class="{therapy_class}"' in home
        assert CLASS_TITLES[therapy_class][0] in home
    assert '<svg class="timeline"' in home


def test_every_page_names_its_release_and_how_to_cite_it(site: Path) -> None:
    for page in html_pages(site):
        text = page.read_text(encoding="utf-8")
        assert "immunoref 0.1.0" in text, page
        assert "How to cite:" in text and "a reference dataset of cancer immunotherapies" in text, page
        assert "downloads.html" in text, page


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    again = build_site(tmp_path / "again").out
    first = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again).as_posix(): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    for name, content in first.items():
        assert content == second[name], name


# -- markup: accessible, self-contained --------------------------------------------------------------------------


class PageAudit(HTMLParser):
    """What the accessibility and self-containment checks need from one page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.viewport = False
        self.h1 = 0
        self.labels: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.th_without_scope = 0
        self.tables = 0
        self.captions = 0
        self.resources: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if attr.get("id"):
            self.ids.append(str(attr["id"]))
        if tag == "html":
            self.lang = attr.get("lang")
        elif tag == "meta" and attr.get("name") == "viewport":
            self.viewport = "width=device-width" in (attr.get("content") or "")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "label" and attr.get("for"):
            self.labels.add(str(attr["for"]))
        elif tag in {"input", "select", "textarea"} and attr.get("type") != "hidden":
            self.controls.append(attr)
        elif tag == "th" and attr.get("scope") not in {"col", "row", "colgroup", "rowgroup"}:
            self.th_without_scope += 1
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        if tag in {"link", "script", "img", "iframe", "source", "video", "audio", "embed", "object"}:
            self.resources += [str(attr[k]) for k in ("href", "src", "data") if attr.get(k)]


def audit(page: Path) -> PageAudit:
    parser = PageAudit()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_every_page_is_accessible_markup(site: Path) -> None:
    for page in html_pages(site):
        found = audit(page)
        assert found.lang == "en", page
        assert found.viewport, page
        assert found.h1 == 1, page
        assert found.th_without_scope == 0, page
        assert found.captions == found.tables, page
        assert len(found.ids) == len(set(found.ids)), f"{page}: duplicate ids"
        for control in found.controls:
            assert control.get("id") in found.labels or control.get("aria-label"), (page, control)


def test_agents_table_has_labelled_filters(site: Path) -> None:
    found = audit(site / "agents" / "index.html")
    names = {control["name"] for control in found.controls}
    assert names == {"q", "class", "target", "disease", "agency", "status"}


def test_pages_load_nothing_from_the_network(site: Path) -> None:
    for page in html_pages(site):
        for resource in audit(page).resources:
            assert resource.startswith(("../", "static/", "data:")), (page, resource)
            assert (page.parent / resource).resolve().is_file() or resource.startswith("data:"), (page, resource)
    css = (site / "static" / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css
    js = (site / "static" / "catalogue.js").read_text(encoding="utf-8")
    assert "fetch(" not in js and "XMLHttpRequest" not in js and "http" not in js


def test_text_is_escaped(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = release_folder(tmp_path)
    agents = pq.read_table(folder / "data" / "agents.parquet")
    names = agents.column("name").to_pylist()
    names[0] = '<script>alert("name")</script> evilumab'
    mechanism = agents.column("mechanism").to_pylist()
    mechanism[0] = "</script><img src=x onerror=alert(1)> & more text about the mechanism of action"
    agents = agents.set_column(agents.schema.get_field_index("name"), "name", pa.array(names))
    agents = agents.set_column(agents.schema.get_field_index("mechanism"), "mechanism", pa.array(mechanism))
    pq.write_table(agents, folder / "data" / "agents.parquet")
    out = build_site(tmp_path / "site", release=folder).out
    for page in html_pages(out):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page
    index = (out / "agents" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; evilumab" in index
    inline = index.split('<script type="application/json" id="agents-index">')[1].split("</script>")[0]
    assert "\\u003cscript\\u003e" in inline


# -- release folders ---------------------------------------------------------------------------------------------


def test_release_folder(tmp_path: Path, site: Path) -> None:
    folder = release_folder(tmp_path)
    (folder / "SHA256SUMS").write_text("checksums\n", encoding="utf-8")
    result = build_site(tmp_path / "site", release=folder)
    assert result.release.dataset_version == "9.8.7"  # from its datapackage.json: it has no manifest
    assert (result.out / "downloads" / "data" / "agents.parquet").is_file()
    assert (result.out / "downloads" / "SHA256SUMS").is_file()
    home = (result.out / "index.html").read_text(encoding="utf-8")
    assert "release 9.8.7" in home and "immunoref 9.8.7, a reference dataset" in home
    assert 'href="downloads/SHA256SUMS"' in home
    page = "agents/pembrolizumab.html"
    assert (result.out / page).read_text(encoding="utf-8").count("<tr") == (site / page).read_text().count("<tr")


def test_release_version_comes_from_its_manifest(tmp_path: Path) -> None:
    folder = release_folder(tmp_path)
    (folder / "manifest.json").write_text('{"dataset_version": "2.0.0"}', encoding="utf-8")
    assert build_site(tmp_path / "site", release=folder).release.dataset_version == "2.0.0"


# -- replacing a site, refusing other folders --------------------------------------------------------------------


def test_rebuild_replaces_a_previous_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(out)
    (out / "stale.html").write_text("old", encoding="utf-8")
    build_site(out)
    assert not (out / "stale.html").exists()
    assert (out / MARKER).is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging or set-aside folder left


def test_refuses_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me", encoding="utf-8")
    with pytest.raises(SiteError, match="not an immunoref site"):
        build_site(out)
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_builds_into_an_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert build_site(out).pages > 0


# -- command line ------------------------------------------------------------------------------------------------


def test_cli_reports_pages_and_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    pages = len(html_pages(tmp_path / "out"))
    assert out.startswith(f"wrote {pages} pages (") and " s; open " in out


def test_cli_refuses_a_non_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert main(["site", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"immunoref site: {tmp_path} is not empty and is not an immunoref site")


def test_cli_refuses_a_folder_that_is_no_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", str(tmp_path / "out"), "--release", str(tmp_path)]) == 2
    assert "is not an immunoref release folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_unreadable_release_is_invalid_without_traceback(tmp_path: Path) -> None:
    folder = release_folder(tmp_path)
    (folder / "data" / "indications.parquet").write_bytes(b"not parquet")
    done = subprocess.run(
        [sys.executable, "-m", "immunoref", "site", str(tmp_path / "out"), "--release", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("immunoref site: cannot show") and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_cli_without_jinja2_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)  # import jinja2 now raises ImportError
    assert main(["site", str(tmp_path / "out")]) == 2
    assert "pip install 'immunoref[site]'" in capsys.readouterr().err


def test_library_without_jinja2_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)
    with pytest.raises(ImportError, match=re.escape("pip install 'immunoref[site]'")):
        build_site(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_file_as_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "index.html").write_text("mine", encoding="utf-8")
    assert main(["site", str(tmp_path / "index.html")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_import_immunoref_stays_cheap() -> None:
    code = (
        "import sys, immunoref, immunoref.cli;"
        " print(sorted(m for m in sys.modules if m.startswith(('jinja2', 'immunoref.site'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- pieces ------------------------------------------------------------------------------------------------------


def test_timeline_counts_and_svg() -> None:
    approvals = [(2014, "checkpoint_inhibitor"), (2014, "checkpoint_inhibitor"), (2017, "car_t"), (2011, "x_new")]
    timeline = count_approvals(approvals, THERAPY_CLASSES)
    assert timeline.years == (2011, 2012, 2013, 2014, 2015, 2016, 2017)
    assert timeline.classes == ("checkpoint_inhibitor", "car_t", "x_new")
    assert timeline.total(2014) == 2 and timeline.dated == 4 and timeline.busy_years == [2011, 2014, 2017]
    svg = render_svg(timeline)
    root = ET.fromstring(svg)
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) == 3
    assert svg == render_svg(count_approvals(reversed(approvals), THERAPY_CLASSES))
    assert render_svg(count_approvals([], THERAPY_CLASSES)) == ""


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("therapy_class", THERAPY_CLASSES)
def test_class_colours_contrast_with_white(therapy_class: str) -> None:
    assert therapy_class in CLASS_TITLES
    ratio = 1.05 / (_luminance(CLASS_COLOURS[therapy_class]) + 0.05)
    assert ratio >= 4.5


def test_templates_and_static_files_ship_in_the_wheel() -> None:
    import tomllib
    from fnmatch import fnmatch

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "immunoref.site" in config["packages"]["find"]["include"]
    patterns = config["package-data"]["immunoref.site"]
    package = REPO / "immunoref" / "site"
    for path in sorted((package / "templates").iterdir()) + sorted((package / "static").iterdir()):
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative


#: (foreground, background) custom properties of style.css that carry text; each needs 4.5:1 (WCAG AA).
TEXT_PAIRS = [
    ("--text", "#ffffff"),
    ("--muted", "#ffffff"),
    ("--muted", "--soft"),
    ("--link", "#ffffff"),
    ("--link", "--soft"),
    ("--link", "--warn-bg"),
    ("--link-visited", "#ffffff"),
    ("--text", "--warn-bg"),
    ("--warn-text", "--warn-bg"),
    ("--approved", "#ffffff"),
    ("--withdrawn", "#ffffff"),
    ("--investigational", "#ffffff"),
    ("#ffffff", "--warn-line"),  # the white "boxed warning" flag
]


@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_text_colours_contrast(foreground: str, background: str) -> None:
    css = (REPO / "immunoref" / "site" / "static" / "style.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-f]{6});", css))
    fg, bg = (colours.get(c, c) for c in (foreground, background))
    lighter, darker = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (foreground, background)
