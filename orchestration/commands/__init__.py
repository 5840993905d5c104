"""Subcommands of the `kodistill` CLI, one module each, registered in orchestration.cli."""
