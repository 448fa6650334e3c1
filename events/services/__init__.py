"""Every write in the events app, one module per concern (docs/architecture.md has the map)."""
