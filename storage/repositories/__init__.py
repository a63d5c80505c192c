"""Repositories: the store's side of the protocols in each `flows` feature's `ports.py`."""
