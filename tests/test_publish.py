"""longform/publish.py: the only stage that writes. site/ is replaced whole or not at all."""

import pytest

from longform.errors import ContentError, Problems
from longform.publish import content_media, fingerprinted, publish, static_assets


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


FILES = {"index.html": b"<h1>Home</h1>", "essays/a/index.html": b"<h1>A</h1>",
         "static/style.0123456789.css": b"body{}"}


def test_publish_writes_every_file(tmp_path):
    out = tmp_path / "site"
    assert publish(FILES, out) == 3
    assert tree(out) == FILES
    assert leftovers(tmp_path) == []


def test_republishing_the_same_files_touches_nothing(tmp_path):
    out = tmp_path / "site"
    publish(FILES, out)
    before = {name: (out / name).stat() for name in FILES}
    assert publish(FILES, out) == 0
    for name, stat in before.items():
        after = (out / name).stat()
        assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_changes_replace_the_folder_and_keep_unchanged_files(tmp_path):
    out = tmp_path / "site"
    publish(FILES, out)
    kept = (out / "index.html").stat()
    new = {**FILES, "essays/a/index.html": b"<h1>A, revised</h1>", "essays/b/index.html": b"B"}
    del new["static/style.0123456789.css"]
    assert publish(new, out) == 2
    assert tree(out) == new  # the stale stylesheet is gone
    after = (out / "index.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("bad", ["../escape.html", "a/../../escape.html", "/etc/escape"])
def test_a_path_outside_the_output_folder_fails_and_leaves_the_old_site(tmp_path, bad):
    out = tmp_path / "site"
    publish(FILES, out)
    with pytest.raises(ContentError, match="outside the output folder"):
        publish({**FILES, "index.html": b"changed", bad: b"x"}, out)
    assert tree(out) == FILES
    assert leftovers(tmp_path) == []
    assert not (tmp_path / "escape.html").exists()


def test_fingerprints_follow_the_bytes():
    assert fingerprinted("style.css", b"a") == fingerprinted("style.css", b"a")
    assert fingerprinted("style.css", b"a") != fingerprinted("style.css", b"b")
    name = fingerprinted("fonts/body.woff2", b"a")
    assert name.startswith("static/fonts/body.") and name.endswith(".woff2")


def test_static_assets_include_theme_files_and_generated_ones(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css/site.css").write_bytes(b"p{}")
    (tmp_path / ".DS_Store").write_bytes(b"junk")
    assets = static_assets(tmp_path, {"vega.js": b"vega"})
    assert sorted(assets) == ["css/site.css", "vega.js"]
    path, data = assets["css/site.css"]
    assert path == fingerprinted("css/site.css", b"p{}") and data == b"p{}"
    assert static_assets(tmp_path / "missing", {}) == {}


def test_content_media_is_copied_but_not_essays_or_authors(tmp_path):
    for name, data in {"a.md": b"x", "b.markdown": b"x", "authors.yaml": b"x",
                       "media/p.png": b"png", "2024/q.jpg": b"jpg", ".hidden/r.png": b"no"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    assert content_media(tmp_path) == {"2024/q.jpg": b"jpg", "media/p.png": b"png"}


def test_a_failed_build_leaves_the_built_site_and_no_temporary_folders(make_project, build):
    project = make_project("basic")
    assert build(project).status == 0
    before = project.files()
    project.write("content/broken.md", "---\ntitle: [unclosed\n---\n")
    assert build(project).status == 1
    assert project.files() == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".site")] == []


def test_a_small_change_to_a_large_site_is_written_in_place(tmp_path):
    out = tmp_path / "site"
    files = {f"essays/e{i}/index.html": f"<h1>{i}</h1>".encode() for i in range(40)}
    publish(files, out)
    before = {name: (out / name).stat() for name in files}
    edited = dict(files)
    edited["essays/e3/index.html"] = b"<h1>three</h1>"
    del edited["essays/e7/index.html"]
    assert publish(edited, out) == 1
    assert tree(out) == edited
    assert not (out / "essays/e7").exists()  # its emptied folder goes too
    for name in set(edited) - {"essays/e3/index.html"}:
        after = (out / name).stat()
        assert (after.st_ino, after.st_mtime_ns) == (before[name].st_ino,
                                                     before[name].st_mtime_ns)
    assert leftovers(tmp_path) == [] and not list(out.rglob(".*.tmp"))


# --- static/: the writer's own files, byte for byte ----------------------------------------------

def test_static_holds_a_library_and_a_large_binary_copied_byte_for_byte(make_project, build):
    project = make_project("jekyll")
    blob = bytes(range(256)) * (10 * 1024 * 1024 // 256)  # 10 MB, every byte value
    project.write("static/downloads/dataset.bin", blob)
    changes = project.write("static/assets/js/vendor/tinylib/CHANGES.md",
                            (project.root / "static/assets/js/vendor/tinylib/CHANGES.md")
                            .read_bytes() + b"\r\n{% nonsense %} --- not: [frontmatter\n")
    result = build(project)
    assert result.status == 0, result.err
    assert "CHANGES.md" not in result.err and "tinylib" not in result.err
    assert "dataset.bin" not in result.err
    for path in sorted((project.root / "static").rglob("*")):
        if path.is_file():
            relative = path.relative_to(project.root / "static")
            assert (project.out / relative).read_bytes() == path.read_bytes(), relative
    assert (project.out / "downloads/dataset.bin").stat().st_size == len(blob)
    assert (project.out / "assets/js/vendor/tinylib/CHANGES.md").read_bytes() == \
        changes.read_bytes()
    assert not (project.out / "essays/changes").exists()


def test_a_static_file_where_longform_writes_is_an_error_naming_both(make_project, build):
    project = make_project("basic")
    assert build(project).status == 0
    before = project.files()
    project.write("static/index.html", "<p>my own home page</p>")
    project.write("static/media/diagram.svg", "<svg/>")
    result = build(project)
    assert result.status == 1
    assert result.err.splitlines()[:2] == [
        "static/index.html:1: static/index.html and the page Longform makes there would both "
        "be site/index.html; rename or remove one of them",
        "static/media/diagram.svg:1: static/media/diagram.svg and content/media/diagram.svg "
        "would both be site/media/diagram.svg; rename or remove one of them"]
    assert project.files() == before


def test_static_files_beside_content_media(tmp_path):
    from longform.publish import static_files
    (tmp_path / "static" / "img").mkdir(parents=True)
    (tmp_path / "static" / "img" / "a.png").write_bytes(b"\x89PNG")
    assert static_files(tmp_path / "static", {"media/b.png": b""}) == {"img/a.png": b"\x89PNG"}
    assert static_files(tmp_path / "nowhere", {}) == {}
    with pytest.raises(Problems) as caught:
        static_files(tmp_path / "static", {"img/a.png": b"x"})
    assert str(caught.value).endswith("static/img/a.png and content/img/a.png would both be "
                                      "site/img/a.png; rename or remove one of them")
