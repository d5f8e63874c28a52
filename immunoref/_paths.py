"""Where the package's own files are.

Paths from __file__, not importlib.resources: immunoref is always installed as plain files, and
importlib.resources.files("immunoref") can resolve to the wrong folder. Run `python -m immunoref` in a
folder that holds an `immunoref/` directory of its own (a data project after its first build) and an editable
install resolves "immunoref" to that directory, whose `_vocab/` does not exist. It also costs some 10 ms of
imports on every cold load.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

#: The packaged tables, therapies.json and manifest.json.
PACKAGE_DATA = PACKAGE / "_data"

#: The vendored identifier vocabularies and the curated combination partners.
PACKAGE_VOCAB = PACKAGE / "_vocab"
