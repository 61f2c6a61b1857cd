"""The image variants an essay's HTML names, and where their files are: what the stages after
rendering need of images.py's work (the variants it made are in the cache), without the
Python-Markdown that images.py's tree processor imports.
"""

import re
from pathlib import Path

# A variant's name carries the source's content hash, so its URL is as immutable as the theme's.
VARIANT_PREFIX = "static/images/"
VARIANT_NAME = re.compile(VARIANT_PREFIX + r"[^\s/\"',]*?-([0-9a-f]{16})-(\d+)\.webp")

# Part of a cached variant's name: raised when the way variants are made changes their bytes,
# so that a cache from before never mixes old bytes with new. 2: the chain of resizes (_make).
VARIANT_RECIPE = 2


def variant_cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "images" / f"{key}.r{VARIANT_RECIPE}.webp"


def variant_names(html: str) -> tuple[str, ...]:
    """The variant files an essay's HTML names, in order (the rendering keeps them on the
    Essay: scanning every essay's HTML on each build cost 50 ms at 5,000 essays)."""
    if VARIANT_PREFIX not in html:
        return ()
    return tuple(dict.fromkeys(match.group(0) for match in VARIANT_NAME.finditer(html)))


def variant_files(essays, cache_dir: Path) -> dict:
    """site/static/images/… for every variant an essay's HTML names (Essay.variants), copied
    from the cache."""
    from .sitefiles import Copied
    files = {}
    for essay in essays:
        for name in essay.variants:
            if name not in files:
                match = VARIANT_NAME.fullmatch(name)
                key = f"{match.group(1)}-{match.group(2)}"
                files[name] = Copied.of(variant_cache_path(cache_dir, key), cached=True)
    return dict(sorted(files.items()))
