"""pymdown-extensions' superfences, imported without urllib.request.

pymdownx.util imports urllib.request for two path helpers (url2pathname, pathname2url) that
only extensions Longform does not load call. That import brings http.client, email and ssl: 20-30
ms, a quarter of what an edit's render worker imports before it can render the essay, and the
worker is then the edit's longest path. So pymdownx.util is imported here with stand-ins that
import the real module when first called, and urllib.request stays unimported until something
really wants it (which then gets the real module).
"""

import sys
import types


def _util_imported() -> None:
    if "pymdownx.util" in sys.modules or "urllib.request" in sys.modules:
        return
    import markdown  # noqa: F401 — outside the window below: what it imports sees the real one
    stand_in = types.ModuleType("urllib.request")
    stand_in.url2pathname = _real("url2pathname")
    stand_in.pathname2url = _real("pathname2url")
    sys.modules["urllib.request"] = stand_in
    try:
        import pymdownx.util  # noqa: F401
    except ImportError:  # it wants more than the two helpers: it imports the module below
        pass
    finally:
        if sys.modules.get("urllib.request") is stand_in:
            del sys.modules["urllib.request"]


def _real(name: str):
    def helper(*args, **kwargs):
        import urllib.request
        return getattr(urllib.request, name)(*args, **kwargs)
    helper.__name__ = helper.__qualname__ = name
    return helper


_util_imported()
from pymdownx.superfences import SuperFencesException  # noqa: E402

__all__ = ["SuperFencesException"]
