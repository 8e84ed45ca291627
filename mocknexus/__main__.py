"""`python -m mocknexus` runs the command line."""

import sys

from mocknexus.cli import main

sys.exit(main())
