"""A person's rights to see and erase their data (domain-free: see registry.py)."""
