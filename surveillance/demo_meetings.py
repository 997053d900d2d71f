def seed(*, stdout=None, password=None) -> None:
    return None
