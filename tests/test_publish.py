"""longform/publish.py: the only stage that writes. site/ is replaced whole or not at all."""


import pytest

from longform.errors import ContentError, Problems
from longform.publish import content_media, fingerprinted, publish, static_assets
from longform.sitefiles import Copied


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
    media = content_media(tmp_path)
    assert {path: copied.read() for path, copied in media.items()} == {
        "2024/q.jpg": b"jpg", "media/p.png": b"png"}


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


def test_pending_files_join_a_fresh_site_after_the_rest_is_written(tmp_path):
    out, staged = tmp_path / "site", []

    files = dict(FILES)

    def pending():  # the other files are in the staging folder (not yet site/) by now
        staged.append(sorted(p.name for p in tmp_path.glob(".site-new-*/**/*") if p.is_file()))
        # and their bytes let go (a new site's pages: memory the caller uses meanwhile)
        staged.append(files == dict.fromkeys(FILES, b""))
        return [{"pagefind/entry.json": b"{}"}]
    assert publish(files, out, pending=pending) == 4
    assert staged == [sorted(name.rsplit("/", 1)[-1] for name in FILES), True]
    assert tree(out) == {**FILES, "pagefind/entry.json": b"{}"}
    assert leftovers(tmp_path) == []


def test_each_pending_part_is_written_into_a_fresh_site_as_it_comes(tmp_path):
    """A new site's search index comes a shard at a time: each is in the staging folder
    before the next is waited for, so only the last is left to write at the end."""
    out, staged = tmp_path / "site", []

    def staged_now() -> list[str]:
        return sorted(p.relative_to(next(tmp_path.glob(".site-new-*"))).as_posix()
                      for p in tmp_path.glob(".site-new-*/pagefind/**/*") if p.is_file())

    def pending():
        yield {"pagefind/shard-1/a.pf": b"a"}
        staged.append(staged_now())
        yield {"pagefind/shard-2/b.pf": b"b"}
        staged.append(staged_now())
        yield {"pagefind/shards.json": b"[]"}
    assert publish(dict(FILES), out, pending=pending) == 6
    assert staged == [["pagefind/shard-1/a.pf"], ["pagefind/shard-1/a.pf",
                                                  "pagefind/shard-2/b.pf"]]
    assert tree(out) == {**FILES, "pagefind/shard-1/a.pf": b"a", "pagefind/shard-2/b.pf": b"b",
                         "pagefind/shards.json": b"[]"}
    assert leftovers(tmp_path) == []


def test_pending_files_are_waited_for_before_an_update_in_place(tmp_path):
    out = tmp_path / "site"
    files = {f"essays/e{i}/index.html": f"<h1>{i}</h1>".encode() for i in range(40)}
    publish({**files, "pagefind/old.pf": b"old", "pagefind/same.pf": b"same"}, out)
    same = (out / "pagefind/same.pf").stat()
    edited = {**files, "essays/e3/index.html": b"<h1>three</h1>"}

    def failing():
        raise ContentError(tmp_path / "pyproject.toml", 1, "the search index failed")
    with pytest.raises(ContentError):
        publish(dict(edited), out, pending=failing)
    assert (out / "essays/e3/index.html").read_bytes() == b"<h1>3</h1>"  # nothing written
    assert publish(dict(edited), out, pending=lambda: [{"pagefind/same.pf": b"same"},
                                                       {"pagefind/new.pf": b"new"}]) == 2
    assert tree(out) == {**edited, "pagefind/same.pf": b"same", "pagefind/new.pf": b"new"}
    after = (out / "pagefind/same.pf").stat()  # the old index file no longer made is gone
    assert (after.st_ino, after.st_mtime_ns) == (same.st_ino, same.st_mtime_ns)


def test_a_cached_file_goes_in_as_a_copy_keeping_its_mtime(tmp_path):
    cache, out = tmp_path / "cache", tmp_path / "site"
    cache.mkdir()
    (cache / "card.png").write_bytes(b"card")
    card = Copied.of(cache / "card.png", cached=True)
    publish({**FILES, "essays/a/card.png": card}, out)
    assert tree(out) == {**FILES, "essays/a/card.png": b"card"}
    # A tool rewriting site/'s copy in place must not reach the card later builds publish.
    assert not (out / "essays/a/card.png").samefile(cache / "card.png")
    assert (out / "essays/a/card.png").stat().st_mtime_ns == card.mtime_ns  # as rsync's do


def test_a_failing_pending_leaves_the_old_site_and_no_staging_folder(tmp_path):
    out = tmp_path / "site"
    publish(FILES, out)

    def failing():
        raise ContentError(tmp_path / "pyproject.toml", 1, "the search index failed")
    with pytest.raises(ContentError):
        publish({name: b"all new" for name in FILES}, out, pending=failing)
    assert tree(out) == FILES
    assert leftovers(tmp_path) == []


def test_a_pending_part_failing_after_others_were_written_leaves_the_old_site(tmp_path):
    """A new site's search index comes a shard at a time: a run failing after another's bundle
    went into the staging folder still leaves site/ as it was, and no staging folder."""
    out = tmp_path / "site"
    publish(FILES, out)

    def second_fails():
        yield {"pagefind/shard-1/a.pf": b"a"}
        raise ContentError(tmp_path / "pyproject.toml", 1, "the search index failed")
    with pytest.raises(ContentError):
        publish({name: b"all new" for name in FILES}, out, pending=second_fails)
    assert tree(out) == FILES
    assert leftovers(tmp_path) == []


def test_a_template_edit_rewrites_every_page_in_place_without_replacing_the_folders(tmp_path):
    # A template edit changes every page: a third of the files (each essay also has its card).
    out = tmp_path / "site"
    files = {f"essays/e{i}/index.html": f"<h1>{i}</h1>".encode() for i in range(60)}
    files |= {f"essays/e{i}/card.png": f"png {i}".encode() for i in range(120)}
    publish(files, out)
    folders = {p: p.stat().st_ino for p in [out, *out.rglob("*")] if p.is_dir()}
    cards = {name: (out / name).stat() for name in files if name.endswith(".png")}
    edited = {name: data.replace(b"<h1>", b"<h1 class=new>") for name, data in files.items()}
    assert publish(edited, out) == 60
    assert tree(out) == edited
    assert {p: p.stat().st_ino for p in folders} == folders  # not a new tree swapped in
    for name, before in cards.items():
        assert (out / name).stat().st_mtime_ns == before.st_mtime_ns
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
    found = static_files(tmp_path / "static", {"media/b.png": b""})
    assert {path: copied.read() for path, copied in found.items()} == {"img/a.png": b"\x89PNG"}
    assert static_files(tmp_path / "nowhere", {}) == {}
    with pytest.raises(Problems) as caught:
        static_files(tmp_path / "static", {"img/a.png": b"x"})
    assert str(caught.value).endswith("static/img/a.png and content/img/a.png would both be "
                                      "site/img/a.png; rename or remove one of them")


# --- site/_headers, as Netlify and Cloudflare Pages read it ------------------------------------

def header_rules(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(URL pattern, [(header, value)]) as both hosts document the file: a path on a line of
    its own, then its headers indented as `Name: value`; `#` starts a comment."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        assert len(line) <= 2000, f"line {number}: Cloudflare ignores lines over 2,000 chars"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            assert line.startswith("/"), f"line {number}: a rule starts with a path"
            rules.append((line.strip(), []))
        else:
            name, colon, value = line.strip().partition(":")
            assert colon and rules and name and value.strip(), f"line {number}: {line!r}"
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


def pattern_matches(pattern: str, path: str) -> bool:
    # A splat (*) matches anything, a :placeholder one path segment.
    import re
    regex = "".join(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
                    for part in re.split(r"(\*|:[A-Za-z]\w*)", pattern))
    return re.fullmatch(regex, path) is not None


def cache_control(rules, path: str) -> list[str]:
    """Every Cache-Control value for a URL: Cloudflare joins the values of all matching rules."""
    return [value for pattern, headers in rules if pattern_matches(pattern, path)
            for name, value in headers if name.lower() == "cache-control"]


def test_headers_cache_assets_for_a_year_and_revalidate_pages(make_project, build):
    from test_images import publishing
    project = publishing(make_project)
    assert build(project).status == 0
    rules = header_rules(project.page("_headers"))
    assert len(rules) <= 100  # Cloudflare Pages' limit
    urls = {}
    for relative in project.files():
        if relative in ("_headers", "_redirects"):
            continue
        urls["/" + relative] = relative
        if relative.endswith("index.html"):
            urls["/" + relative.removesuffix("index.html")] = relative
    assert any(url.startswith("/static/images/") for url in urls)  # image variants too
    for url, relative in urls.items():
        values = cache_control(rules, url)
        assert len(values) <= 1, f"{url} gets {values}"
        if relative.startswith("static/"):
            assert values == ["public, max-age=31536000, immutable"], url
        elif relative.endswith((".html", ".xml", ".json")):
            assert values == ["public, max-age=0, must-revalidate"], url


def test_header_patterns_match_as_the_hosts_document():
    assert pattern_matches("/static/*", "/static/style.0123456789.css")
    assert not pattern_matches("/static/*", "/essays/static/")
    assert pattern_matches("/essays/:slug/", "/essays/tide-tables/")
    assert not pattern_matches("/", "/essays/")
