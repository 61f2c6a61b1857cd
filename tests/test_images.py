"""longform/images.py: sizes on every local raster image, lazy loading below the first screen,
WebP variants for images wider than the column (made once per image content), and an
unreadable image reported at the line that uses it."""

import math
import shutil
from io import BytesIO

from conftest import Document, photo_bytes
from PIL import Image

from longform.images import WEBP_QUALITY

HARBOUR = "essays/harbour-at-dusk/"
KEEPERS = "essays/lighthouse-keepers/"


def publishing(make_project, harbour=(1600, 1200), **settings):
    """The publishing sample site with its images made: a wide photo, a small JPEG."""
    project = make_project("publishing", **settings)
    project.write("content/media/harbour.png", photo_bytes(*harbour))
    project.write("content/media/logbook.jpg", photo_bytes(400, 300, "JPEG"))
    return project


def images(project, url):
    return Document(project.page(url)).find_all("img")


def test_raster_images_get_sizes_and_the_wide_one_variants(make_project, build):
    project = publishing(make_project)
    assert build(project).status == 0
    harbour, quay = images(project, HARBOUR)
    assert (harbour.attrs["width"], harbour.attrs["height"]) == ("1600", "1200")
    # The first thing in the body is on the first screen: fetched at once, not lazily.
    assert "loading" not in harbour.attrs and "decoding" not in harbour.attrs
    candidates = [c.split() for c in harbour.attrs["srcset"].split(", ")]
    assert [w for _, w in candidates] == ["640w", "1280w"]
    assert harbour.attrs["sizes"]
    for url, width in candidates:
        assert url.startswith("/static/images/harbour-") and url.endswith(".webp")
        with Image.open(BytesIO((project.out / url.lstrip("/")).read_bytes())) as variant:
            assert (variant.format, f"{variant.width}w") == ("WEBP", width)
            assert variant.height == round(int(width[:-1]) * 1200 / 1600)
    assert harbour.attrs["src"] == "/media/harbour.png"  # the original is still there...
    links = Document(project.page(HARBOUR)).find_all("a", class_="image-original")
    assert [a.attrs["href"] for a in links] == ["/media/harbour.png"]  # ...and linked
    assert (project.out / "media/harbour.png").is_file()
    # SVG passes through as written.
    assert quay.attrs == {"src": "/media/quay.svg", "alt": "A sketch of the quay"}


def test_an_image_further_down_loads_lazily_and_a_narrow_one_has_no_variants(make_project,
                                                                             build):
    project = publishing(make_project)
    assert build(project).status == 0
    [logbook] = images(project, KEEPERS)
    assert logbook.attrs["width"] == "400" and logbook.attrs["height"] == "300"
    assert logbook.attrs["loading"] == "lazy" and logbook.attrs["decoding"] == "async"
    assert "srcset" not in logbook.attrs
    assert not Document(project.page(KEEPERS)).find_all("a", class_="image-original")


def test_an_animated_gif_gets_sizes_but_no_variants(make_project, build):
    project = publishing(make_project)
    frames = [Image.new("RGB", (1500, 300), color) for color in ("red", "blue")]
    buffer = BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=200)
    project.write("content/media/harbour.png", b"")  # replaced below by the GIF
    essay = project.root / "content/harbour-at-dusk.md"
    essay.write_text(essay.read_text().replace("media/harbour.png", "media/flag.gif"))
    project.write("content/media/flag.gif", buffer.getvalue())
    assert build(project).status == 0
    flag = images(project, HARBOUR)[0]
    assert (flag.attrs["width"], flag.attrs["height"]) == ("1500", "300")
    assert "srcset" not in flag.attrs
    assert (project.out / "media/flag.gif").read_bytes() == buffer.getvalue()


def variants_made(project) -> dict:
    folder = project.root / ".longform-cache/images"
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_a_rebuild_makes_no_variant_twice(make_project, build):
    project = publishing(make_project)
    assert build(project).status == 0
    first = variants_made(project)
    assert len(first) == 2
    essay = project.root / "content/harbour-at-dusk.md"
    essay.write_text(essay.read_text().replace("thirty seconds", "half a minute"))
    assert build(project).status == 0
    assert variants_made(project) == first  # the essay re-rendered, its image did not
    project.write("content/media/harbour.png", photo_bytes(1600, 1200, seed=40))
    assert build(project).status == 0
    after = variants_made(project)
    assert len(after) == 4 and {k: after[k] for k in first} == first  # only the new image's
    served = sorted(p.name for p in (project.out / "static/images").iterdir())
    assert len(served) == 2 and all(name.split("-")[-2] not in "".join(first)
                                    for name in served)


def test_an_image_replaced_under_its_old_date_is_read_again(make_project, build):
    # A process (`serve`, these tests) keeps each image's hash while its stat signature holds;
    # a file replaced by a tool that sets its old date back still has a new ctime and inode.
    import os
    project = publishing(make_project)
    photo = project.root / "content/media/harbour.png"
    os.utime(photo, (1_600_000_000, 1_600_000_000))
    assert build(project).status == 0
    before = images(project, HARBOUR)[0]
    project.write("content/media/harbour.png", photo_bytes(1600, 1200, seed=40))
    os.utime(photo, (1_600_000_000, 1_600_000_000))
    assert build(project).status == 0
    after = images(project, HARBOUR)[0]
    assert after.attrs["srcset"] != before.attrs["srcset"]
    for candidate in after.attrs["srcset"].split(", "):
        url = candidate.split()[0]
        assert (project.out / url.lstrip("/")).is_file()


def test_an_unreadable_image_is_an_error_at_its_line(make_project, build):
    project = publishing(make_project)
    assert build(project).status == 0
    before = project.files()
    project.write("content/media/harbour.png", b"\x89PNG\r\n\x1a\n this is not an image")
    result = build(project)
    assert result.status == 1
    assert result.err.startswith("content/harbour-at-dusk.md:10: image 'harbour.png' cannot "
                                 "be read")
    assert result.err.strip().splitlines()[1:] == ["1 error, 0 warnings. Nothing was published."]
    assert project.files() == before  # site/ untouched


def test_a_rebuild_reads_no_unchanged_image_to_check_the_cached_renderings(make_project, build,
                                                                           monkeypatch):
    import os

    from longform import cache, pipeline
    project = publishing(make_project)
    photo = project.root / "content/media/harbour.png"
    os.utime(photo, (1_600_000_000, 1_600_000_000))  # saved long ago: its stat can vouch
    assert build(project).status == 0
    hashed = []
    monkeypatch.setattr(pipeline, "file_hash",
                        lambda path: hashed.append(path.name) or cache.file_hash(path))
    essay = project.root / "content/lighthouse-keepers.md"
    essay.write_text(essay.read_text().replace("keepers", "keepers and their families", 1))
    assert build(project).status == 0
    # The harbour essay's rendering read the photo: the whole-build check's hash of it stands.
    assert "harbour.png" not in hashed
    project.write("content/media/harbour.png", photo_bytes(1600, 1200, seed=41))
    assert build(project).status == 0
    assert len(variants_made(project)) == 4  # the new photo: its essay rendered again


def test_variants_follow_the_essays_that_name_them_across_rebuilds(make_project, build):
    # Each rendered essay carries the variant names of its HTML (Essay.variants): an essay
    # taken from the cache still publishes its variants, an edited one its new set.
    project = publishing(make_project)
    assert build(project).status == 0

    def variants():
        return sorted(p.name for p in (project.out / "static/images").glob("*.webp"))
    made = variants()
    assert len(made) == 2 and all(name.startswith("harbour-") for name in made)
    keepers = project.root / "content/lighthouse-keepers.md"
    keepers.write_text(keepers.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert build(project).status == 0  # the harbour essay comes from the cache
    assert variants() == made
    harbour = project.root / "content/harbour-at-dusk.md"
    text = harbour.read_text("utf-8")
    harbour.write_text(text.replace("(media/harbour.png)", "(media/logbook.jpg)"), "utf-8")
    assert build(project).status == 0
    assert variants() == []
    harbour.write_text(text, "utf-8")
    assert build(project).status == 0
    assert variants() == made


def test_variants_are_the_same_bytes_whatever_the_cache_held(make_project, build):
    # The 640-px variant of a wide image is resized from the 1280-px one: a build that finds
    # only the 1280-px one cached must still make the same 640-px file as a cold build.
    project = publishing(make_project, harbour=(2400, 1600))
    assert build(project).status == 0
    served = {p.name: p.read_bytes() for p in (project.out / "static/images").iterdir()}
    assert len(served) == 2
    cache = project.root / ".longform-cache/images"
    for variant in cache.iterdir():
        if "-640." in variant.name:
            variant.unlink()
    assert build(project).status == 0
    assert {p.name: p.read_bytes() for p in (project.out / "static/images").iterdir()} == served
    shutil.rmtree(project.root / ".longform-cache")
    assert build(project).status == 0
    assert {p.name: p.read_bytes() for p in (project.out / "static/images").iterdir()} == served
    assert not [p for p in cache.iterdir() if not p.name.endswith(".webp")]  # no lock left


def test_a_variant_is_as_faithful_as_a_direct_resize_of_the_original(make_project, build):
    project = publishing(make_project, harbour=(2400, 1600))
    assert build(project).status == 0
    original = Image.open(project.root / "content/media/harbour.png").convert("RGB")
    for variant in (project.out / "static/images").iterdir():
        made = Image.open(variant).convert("RGB")
        exact = original.resize(made.size, Image.LANCZOS)
        buffer = BytesIO()
        exact.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        direct = Image.open(BytesIO(buffer.getvalue())).convert("RGB")
        # WebP's own loss dominates (about 36 dB on this grain); a cruder resize (nearest
        # neighbour, a box filter) would lose a further 0.3 to 1 dB.
        assert psnr(made, exact) >= psnr(direct, exact) - 0.1


def psnr(image, reference) -> float:
    import numpy as np
    difference = np.asarray(image, dtype=float) - np.asarray(reference, dtype=float)
    return 10 * math.log10(255 ** 2 / (difference ** 2).mean())
