"""Every file of site/ as the pipeline hands it to publish: the pages, each re-rendered only
when its fingerprint moved (else the file the last build left in the output folder), and the
files that go out as they are (theme assets, content media, the writer's static/, image
variants, redirects).

A page's fingerprint hashes everything its template can read: the settings, the theme's
templates and assets, its title and description, and its context, where an essay stands for
itself by its content key. A body edit changes one essay's key, so only the pages that show
the body (its own page, the feed) move; listings show summaries, keyed without the body.
"""

import os
from hashlib import sha256

from . import publish
from .cache import Memo, digest
from .redirects import redirect_files
from .site import Site
from .sitefiles import Copied
from .variants import variant_files


def output_files(site: Site, pages: list, old: Memo, new: Memo, out: tuple = (None, {}, {})
                 ) -> tuple[dict[str, bytes], int]:
    """Every file of site/: pages (re-rendered only when their inputs changed), the insights
    deck, theme assets and content media; and how many pages were rendered. `out`: (output
    folder, {path: (size, mtime)} the last build left there, {path: stat} of what is there
    now), where a page whose fingerprint holds is taken from when the memo holds no bytes."""
    from .render import insights_json, rendered_pages, template_hashes
    config = site.config
    generated = {}
    if any(e.charts for e in site.essays):
        from .charts import vega_bundle
        generated["vega.js"] = vega_bundle(config.cache_dir)
    assets = publish.static_assets(config.templates_dir / "static", generated)
    asset_paths = {name: path for name, (path, _) in assets.items()}
    shared = digest(repr(config), repr(sorted(site.authors.items())), repr(asset_paths))
    templates = template_hashes(config.templates_dir)
    keys = page_keys([(shared, templates.get(page.template, ""), page.title, page.description)
                      for page in pages], [page.context for page in pages])
    kept = {}
    for i, page in enumerate(pages):
        known = old.pages.get(page.path)
        if known is not None and known[0] == keys[i]:
            data = known[1] if known[1] is not None else _left_page(page.path, out)
            if data is not None:
                kept[i] = data
    stale = [i for i in range(len(pages)) if i not in kept]
    fresh = dict(zip(stale, rendered_pages(site, asset_paths, [pages[i] for i in stale]),
                     strict=True))
    files = {}
    for i, page in enumerate(pages):
        files[page.path] = fresh[i] if i in fresh else kept[i]
        new.pages[page.path] = (keys[i], files[page.path])
    files["insights.json"] = insights_json(site)
    files.update(assets.values())
    media = publish.content_media(config.content_dir)
    files.update(media)
    static = publish.static_files(config.root / "static", files)
    files.update(static)
    files.update(variant_files(site.essays, config.cache_dir))
    files.update(redirect_files(site, pages, {*media, *static,
                                              *(path for path, _ in assets.values())}))
    return files, len(stale)


def _left_page(path: str, out: tuple):
    """The file the last build left in the output folder, while its size and mtime (as the
    folder was listed this build) say it is still that file; None: render the page."""
    out_dir, left, listed = out
    info = listed.get(path)
    if out_dir is None or info is None or path not in left:
        return None
    size, mtime_ns = left[path]
    if info.st_size != size or info.st_mtime_ns != mtime_ns:
        return None
    return Copied(os.path.join(out_dir, path), size, mtime_ns)


def page_keys(parts: list[tuple], contexts: list) -> list[str]:
    """One hash per page of its parts (strings) and its context; an Essay stands for itself by
    its content key. Objects shared by many pages (an author on hundreds of essay pages) are
    written out once: every context is alive for the call, so an object's id names it."""
    from .content import Essay  # here: a no-change rebuild imports this module, not YAML
    seen: dict[int, str] = {}
    # digest(*part, canonical)'s very bytes (each part, then a NUL), hashed in one piece.
    return [sha256(("\0".join(part) + "\0" + _canonical(context, seen, Essay) + "\0")
                   .encode("utf-8")).hexdigest()
            for part, context in zip(parts, contexts, strict=True)]


def _canonical(value, seen: dict, essay: type) -> str:
    # Exact type checks first (a rebuild of 5,000 essays canonicalises ~100,000 values, most
    # of them an essay in a list), then subclasses, such as named tuples.
    kind = type(value)
    if kind is str:
        return repr(value)
    if kind is essay:
        return "E:" + value.key
    if kind is list or kind is tuple:
        return "[" + ",".join(["E:" + v.key if type(v) is essay else _canonical(v, seen, essay)
                               for v in value]) + "]"
    if kind is dict and all(type(k) is str for k in value):
        # Sorted by key alone: string keys are unique, so no two values are ever compared.
        return "{" + ",".join([repr(k) + ":" + _canonical(v, seen, essay)
                               for k, v in sorted(value.items())]) + "}"
    if isinstance(value, essay):
        return "E:" + value.key
    if isinstance(value, list | tuple):
        return "[" + ",".join([_canonical(v, seen, essay) for v in value]) + "]"
    if isinstance(value, dict):
        items = sorted([(_canonical(k, seen, essay), _canonical(v, seen, essay))
                        for k, v in value.items()])
        return "{" + ",".join([f"{k}:{v}" for k, v in items]) + "}"
    if id(value) not in seen:
        seen[id(value)] = repr(value)
    return seen[id(value)]
