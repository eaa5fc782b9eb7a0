"""API: feeds."""


def register(router) -> None:
    pass
