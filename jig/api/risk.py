"""API: risk."""


def register(router) -> None:
    pass
