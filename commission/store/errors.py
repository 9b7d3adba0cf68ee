"""The store's one kind of user-facing problem."""


class StoreError(Exception):
    """A workflow rule the user ran into (wrong status, period already open, not allowed...); the message
    says what to do."""
