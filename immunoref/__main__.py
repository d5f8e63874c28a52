"""`python -m immunoref` runs the command line."""

from immunoref.cli import main

raise SystemExit(main())
