"""`python -m bot` runs the byline command line."""

import sys

from bot.cli import main

sys.exit(main())
