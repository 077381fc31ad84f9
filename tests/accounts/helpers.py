import re

LINK = re.compile(r"https?://testserver(/\S+)")


def link_in(message) -> str:
    """The first link to this site in an e-mail, as a path."""
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)
