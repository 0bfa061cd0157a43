class ReadingError(Exception):
    """A reading-promotion rule was broken; the message is shown to the user."""


class AlreadyOnList(ReadingError):
    pass


class AlreadyTakingPart(ReadingError):
    pass


class HonoursPublished(ReadingError):
    pass
