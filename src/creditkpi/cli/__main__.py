"""``python -m creditkpi.cli``: the ``creditkpi`` command."""

import sys

from creditkpi.cli import main

sys.exit(main())
