"""The command-line layer: the only place that imports Typer and Rich."""
