"""The `leadgate` command line: translates arguments, files and exit codes to and from the domain
packages and renders results with Rich. No rule lives here."""
