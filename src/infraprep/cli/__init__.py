"""The command line: thin parse → call → render (rich tables, ``--json``)."""
