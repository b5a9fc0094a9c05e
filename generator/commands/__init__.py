"""One module per command; ``generator.cli`` is the thin layer that parses options."""
