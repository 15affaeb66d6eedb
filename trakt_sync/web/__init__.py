"""The local web page: a second face on the same library as the CLI.

Every page and every ``/api/`` document comes from the core functions the CLI's commands
call (``status``, ``unmatched``, ``map add``, ``sync --dry-run``, device login…); nothing
here imports the CLI."""
