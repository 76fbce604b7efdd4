"""`python -m ingest` is `newsdesk`."""
from ingest.cli import main

main(prog_name="newsdesk")
