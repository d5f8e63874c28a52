"""The wheel: `python -m build` makes one that carries the data, and in a fresh environment every table loads."""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO

from immunoref.build import project_version
from immunoref.tables import TABLES

VERSION = project_version(REPO)

LOAD_EVERY_TABLE = """
import json, immunoref
print(json.dumps({
    "file": immunoref.__file__,
    "version": immunoref.__version__,
    "rows": {table: len(immunoref.load(table)) for table in immunoref.TABLES},
    "agents": len(immunoref.read_therapies()),
}))
"""


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, cwd=cwd, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_wheel_carries_the_data_and_loads_every_table_in_a_fresh_environment(tmp_path: Path) -> None:
    import build  # noqa: F401  # a dev dependency: without it this test fails rather than skips

    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "immunoref", source / "immunoref", ignore=shutil.ignore_patterns("__pycache__"))
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp_path / "dist", source, cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("*.whl")
    assert wheel.name == f"immunoref-{VERSION}-py3-none-any.whl"  # package version = dataset version
    with zipfile.ZipFile(wheel) as archive:
        for name in [f"{t}.parquet" for t in TABLES] + ["therapies.json", "manifest.json"]:
            assert archive.read(f"immunoref/_data/{name}") == (REPO / "immunoref" / "_data" / name).read_bytes()

    # A fresh environment: the wheel in its own site-packages, the dependencies seen from this environment's
    # site-packages through a .pth line (which does not run the editable install's hook found there).
    environment = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", environment)
    python = environment / "bin" / "python"
    target = Path(run(python, "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", target, wheel)
    (target / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")

    loaded = json.loads(run(python, "-I", "-c", LOAD_EVERY_TABLE, cwd=tmp_path))
    assert Path(loaded["file"]).is_relative_to(target)
    assert loaded["version"] == VERSION
    manifest = json.loads((REPO / "immunoref" / "_data" / "manifest.json").read_text(encoding="utf-8"))
    assert loaded["rows"] == manifest["rows"]
    assert loaded["agents"] == manifest["rows"]["agents"]
    assert f"(dataset {VERSION})" in run(python, "-I", "-m", "immunoref", "info", cwd=tmp_path)
