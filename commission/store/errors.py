"""The store's kinds of user-facing problem."""


class StoreError(Exception):
    """A workflow rule the user ran into (wrong status, period already open, not allowed...); the message
    says what to do."""


class NotFound(StoreError):
    """What was asked for does not exist, or is outside what the person may see (the web app answers 404
    for both, so nobody learns what exists beyond their scope)."""
