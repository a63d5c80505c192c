"""Repositories: the store's side of the protocols in `flows.ports`."""
