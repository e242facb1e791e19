"""Where a "go back" address may send someone: only to a page of this site."""

from urllib.parse import urlsplit


def local_path(target: str | None, longest: int | None = None) -> str | None:
    """`target` if it is a path on this site we can redirect to, else None.

    Not another host (`https://…`, `//host/…`), and nothing with a line break or other
    control character: the Location header refuses them, and no page of ours has one.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.isprintable():
        return None
    if longest is not None and len(target) > longest:
        return None
    return target
