"""``python -m tilint``."""

import sys

from .cli import main

sys.exit(main())
