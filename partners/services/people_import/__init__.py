"""Importing people into a network from CSV: all or nothing, with a per-row report."""
