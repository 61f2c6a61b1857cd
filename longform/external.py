"""`check --external`: fetch every link an essay makes to another site, a few at a time, and
report the dead ones at the essay line that writes them. Never part of a plain build."""

import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urldefrag, urlsplit

from .content import Essay
from .errors import ContentError, ContentWarning
from .links import scan, source_line

USER_AGENT = "Longform link checker (+https://github.com/longform)"
EXTERNAL_TIMEOUT = 8.0
EXTERNAL_WORKERS = 4


def external_links(site) -> list[tuple[Essay, str]]:
    """(essay, url) for every http(s) link an essay makes to another site, in order."""
    found = []
    for essay in site.essays:
        for link in scan(essay.html).links:
            parts = urlsplit(link.url)
            if parts.scheme in ("http", "https") and not link.url.startswith(site.config.base_url):
                found.append((essay, link.url))
    return found


def dead_links(site, timeout: float | None = None, workers: int = EXTERNAL_WORKERS
               ) -> list[ContentError | ContentWarning]:
    """Fetch every external URL once (a few at a time) and report those that do not answer."""
    timeout = timeout or EXTERNAL_TIMEOUT
    links = external_links(site)
    urls = sorted({urldefrag(url)[0] for _, url in links})
    with ThreadPoolExecutor(max_workers=workers) as pool:
        verdicts = dict(zip(urls, pool.map(lambda u: url_problem(u, timeout), urls), strict=True))
    problems = []
    for essay, url in links:
        verdict = verdicts[urldefrag(url)[0]]
        if verdict:
            fatal, reason = verdict
            kind = ContentError if fatal else ContentWarning
            text = (f"dead link to '{url}': {reason}" if fatal else
                    f"could not confirm the link to '{url}': {reason}")
            problems.append(kind(essay.source, source_line(essay, url), text))
    return problems


def url_problem(url: str, timeout: float) -> tuple[bool, str] | None:
    """None when url answers; else (dead for sure?, why). HEAD first, GET when HEAD fails."""
    verdict = _fetch(url, "HEAD", timeout)
    if verdict is not None and verdict[1] != "timed out":
        verdict = _fetch(url, "GET", timeout)
    return verdict


def _fetch(url: str, method: str, timeout: float) -> tuple[bool, str] | None:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if method == "GET":
                response.read(1024)
        return None
    except urllib.error.HTTPError as err:
        return err.code in (404, 410), f"the server answered HTTP {err.code}"
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            return False, "timed out"
        return True, f"no answer ({_reason(err.reason)})"
    except TimeoutError:
        return False, "timed out"
    except (OSError, ValueError) as err:
        return True, f"no answer ({_reason(err)})"


def _reason(reason) -> str:
    text = getattr(reason, "strerror", None) or str(reason)
    return re.sub(r"^\[Errno -?\d+\]\s*", "", text)
