"""Allow `python -m carecli`."""

from carecli.cli.entry import main

main()
