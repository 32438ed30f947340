"""Allow `python -m carecli`."""

from carecli.cli.app import main

main()
