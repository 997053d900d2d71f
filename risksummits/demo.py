"""Demo risk summits: filled in below."""


def seed(*, stdout=None, password: str = "") -> None:
    return None
