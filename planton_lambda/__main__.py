"""`python -m planton_lambda`: the same as the `planton-lambda` command."""

from planton_lambda.cli import main

raise SystemExit(main())
