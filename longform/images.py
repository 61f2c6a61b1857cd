"""Images in essays: sizes (no layout shift), lazy loading, and smaller WebP variants.

Runs inside the Markdown conversion (a tree processor), where the essay and its line numbers
are known, so an unreadable image is an error at the line that uses it. Variants are made once
per image content and kept in .longform-cache/images/; publish copies them to site/static/.
"""

import hashlib
import os
import re
import time
import xml.etree.ElementTree as etree
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .cache import RACY_NS, stat_signature
from .content import body_line
from .errors import ContentError
from .variants import VARIANT_PREFIX, variant_cache_path

VARIANT_WIDTHS = (640, 1280)
COLUMN = 680  # CSS px: the text column (68ch of the body serif) at its widest
# Below that the column is the screen less the theme's gutters (1.125rem each on a phone).
SIZES = f"(min-width: {COLUMN + 60}px) {COLUMN}px, calc(100vw - 2.25rem)"
WEBP_QUALITY = 80
RASTER = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".avif"}
OUTPUT_FOLDER = VARIANT_PREFIX


class ImageExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        # Before the link rewriter (priority 1): it still sees the src as the writer wrote it.
        md.treeprocessors.register(_ImageProcessor(md), "longform_images", 2)


class _ImageProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        essay, links, _, problems = self.md.longform_links
        state = self.md.longform
        found = list(root.iter("img"))
        if not found:
            return  # most essays: no walk mapping every element to its parent
        parents = {child: parent for parent in root.iter() for child in parent}
        first_blocks = set(list(root)[:2])
        for number, img in enumerate(found):
            path = local_image(img.get("src") or "", essay.source, links.content_dir)
            if path is None or path.suffix.lower() not in RASTER:
                continue  # another site's image, an SVG, or a missing file (the link check's)
            on_screen = number == 0 and _top_block(img, parents) in first_blocks
            try:
                made = sized(img, path, body_line(essay, img.get("src")), essay.source, on_screen,
                             links.base_path, self.md.longform.cache_dir)
            except ContentError as err:
                if problems is None:
                    raise
                problems.append(err)  # the run goes on, so other essays' problems show too
                continue
            state.files_read.extend([path, *made])
            if made and parents.get(img) is not None and parents[img].tag != "a":
                _link_to_original(img, parents[img])


def local_image(src: str, essay_source: Path, content_dir: Path) -> Path | None:
    """The file a src names: relative to the essay, or site-absolute in content/ or static/."""
    parts = urlsplit(src)
    if not src or parts.scheme or parts.netloc or src.startswith("#"):
        return None
    relative = unquote(parts.path)
    if relative.startswith("/"):
        candidates = [content_dir / relative.lstrip("/"),
                      content_dir.parent / "static" / relative.lstrip("/")]
    else:
        candidates = [essay_source.parent / relative]
    for candidate in candidates:
        path = Path(os.path.normpath(candidate))
        if path.is_file():
            return path
    return None


def sized(img: etree.Element, path: Path, line: int, essay_path: Path, on_screen: bool,
          base_path: str, cache_dir: Path | None) -> list[Path]:
    """Set width, height, loading and srcset on an <img>; the variant files it points to."""
    content_hash, (width, height, animated), made = _facts(path, line, essay_path, cache_dir)
    img.set("width", str(width))
    img.set("height", str(height))
    if not on_screen:
        img.set("loading", "lazy")
        img.set("decoding", "async")
    if not made:
        return []
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "image"
    img.set("srcset", ", ".join(f"{base_path}{OUTPUT_FOLDER}{stem}-{content_hash}-{w}.webp {w}w"
                                for w in VARIANT_WIDTHS if w < width))
    img.set("sizes", SIZES)
    return made


def _facts(path: Path, line: int, essay_path: Path, cache_dir: Path | None) -> tuple:
    """(content hash, (width, height, animated), variant files) of the image in a file. Its
    bytes are read only for what this process does not know yet: a site's figures recur
    across its essays, and reading one meant hashing it again in each."""
    digest, data = known_digest(path), None
    if digest is None or digest[:16] not in _measured:
        data, digest = _read(path)
    content_hash = digest[:16]
    width, height, animated = _dimensions(data, content_hash, path, essay_path, line)
    if animated or width <= COLUMN or cache_dir is None:
        return content_hash, (width, height, animated), []
    targets = {w: variant_cache_path(cache_dir, f"{content_hash}-{w}") for w in VARIANT_WIDTHS
               if w < width}
    if all(target.is_file() for target in targets.values()):
        return content_hash, (width, height, animated), list(targets.values())
    if data is None:
        data, fresh = _read(path)
        if fresh != digest:  # changed since it was hashed: start again from its new bytes
            return _facts(path, line, essay_path, cache_dir)
    return content_hash, (width, height, animated), variants(data, content_hash, targets)


# Each file's sha256 while its stat signature holds, once a process (the memo the whole-build
# check keeps, for the images and variants essays read); only for a file last changed RACY_NS
# before it was read, as a save within a coarse clock's tick may keep its mtime.
_digests: dict[Path, tuple[tuple, str]] = {}


def _read(path: Path) -> tuple[bytes, str]:
    """A file's bytes and their sha256, remembered under the signature it had before the read
    (a change during the read gives a new signature: the digest is then never used)."""
    signature = stat_signature(path)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if signature is not None and signature[0] < time.time_ns() - RACY_NS:
        _digests[path] = (signature, digest)
    return data, digest


def known_digest(path: Path) -> str | None:
    """The sha256 of a file read before whose signature still holds, else None."""
    known = _digests.get(path)
    return known[1] if known is not None and known[0] == stat_signature(path) else None


def file_digest(path: Path) -> str | None:
    """cache.file_hash (None for an unreadable file), without reading a file known already."""
    try:
        return known_digest(path) or _read(path)[1]
    except OSError:
        return None


# Each image content's (width, height, animated), once a process: a site's figures recur across
# its essays, and reading a JPEG's size means decoding it (Pillow checks it that way).
_measured: dict[str, tuple[int, int, bool]] = {}


def _dimensions(data: bytes | None, content_hash: str, path: Path, essay_path: Path,
                line: int) -> tuple[int, int, bool]:
    if content_hash in _measured:
        return _measured[content_hash]
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(BytesIO(data)) as image:
            image.verify() if path.suffix.lower() == ".png" else image.load()
            _measured[content_hash] = (image.width, image.height,
                                       bool(getattr(image, "is_animated", False)))
            return _measured[content_hash]
    except UnidentifiedImageError:
        reason = "not an image format Pillow knows, or a damaged file"  # not its BytesIO repr
    except (OSError, SyntaxError, ValueError) as err:
        reason = str(err)
    raise ContentError(essay_path, line, f"image '{path.name}' cannot be read ({reason}); "
                                         "save it again as PNG, JPEG, GIF or WebP")


def variants(data: bytes, content_hash: str, targets: dict[int, Path]) -> list[Path]:
    """The cached WebPs of the image at each width (targets: their variant_cache_path), made
    (from one decoding of the image) only where no earlier build, nor another render worker,
    made them."""
    first = next(iter(targets.values()))
    first.parent.mkdir(parents=True, exist_ok=True)
    with _alone(first.with_name(f".{content_hash}.lock")):
        # Looked at again once alone: a worker that waited finds what the other one made.
        missing = [None if target.is_file() else target for target in targets.values()]
        if any(missing):
            _make(data, list(targets), missing)
    return list(targets.values())


def _make(data: bytes, widths: list[int], missing: list[Path | None]) -> None:
    """Write the variants whose files are missing. Each width is resized from the narrowest
    image at hand at least twice as wide: the 640-px one from the 1280-px one, not from a
    2400-px original, a fifth of the work for the same picture (pixels within 2 levels of the
    direct resize, far below what WebP's compression changes). The chain is the same whatever
    the cache holds, so a variant's bytes never depend on which others were made before."""
    from io import BytesIO

    from PIL import Image
    original = Image.open(BytesIO(data))
    mode = "RGBA" if _has_alpha(original) else "RGB"
    # convert() to the mode it already has copies the whole image: 10 ms for nothing.
    original = original.convert(mode) if original.mode != mode else original
    at_hand = original
    for width, target in sorted(zip(widths, missing, strict=True), reverse=True):
        height = max(1, round(original.height * width / original.width))
        start = at_hand if at_hand.width >= 2 * width else original
        at_hand = start.resize((width, height), Image.LANCZOS)
        if target is None:
            continue  # made by an earlier build; still a link of the chain
        # Written beside and renamed: a reader of the cache never sees half a file.
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        at_hand.save(temporary, "WEBP", quality=WEBP_QUALITY, method=4)
        temporary.replace(target)


@contextmanager
def _alone(lock: Path):
    """Held by one process at a time, so two render workers that meet the same new image do not
    both make its variants (a third of a second of CPU for a 2400-px image): the second waits.
    The system drops the lock of a killed process; the file goes when its holder is done (one
    that waited on it then only finds the variants made)."""
    try:
        import fcntl
    except ImportError:  # Windows: at worst both make them, each renaming its own file in
        yield
        return
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _top_block(element: etree.Element, parents: dict) -> etree.Element:
    while parents.get(parents.get(element)) is not None:
        element = parents[element]
    return element


def _link_to_original(img: etree.Element, parent: etree.Element) -> None:
    """Wrap the image in a link to its full-size file: the variants stand in for it on the
    page, the reader can still open the original."""
    index = list(parent).index(img)
    link = etree.Element("a", {"href": img.get("src"), "class": "image-original"})
    link.tail, img.tail = img.tail, None
    parent.remove(img)
    link.append(img)
    parent.insert(index, link)
