"""Allow ``python -m sawt``."""

from sawt.cli import main

main()
