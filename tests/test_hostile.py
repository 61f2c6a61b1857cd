"""Hostile content: markup and `</script>` in frontmatter, tags, authors, charts and insights
is text everywhere it appears (pages, attributes, feed, JSON); no slug or tag writes outside the
output folder; a symbolic link in content/ to a file outside it is refused."""

import json
import os
import xml.etree.ElementTree as ET

import feedparser
import pytest
from conftest import Document

EVIL = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
EVIL_ATTR = '"><svg onload=alert(2)>\' &amp; &lt;'

HOSTILE_ESSAY = f"""---
title: '{EVIL.replace("'", "''")}'
date: 2024-07-01
dek: '{EVIL_ATTR.replace("'", "''")}'
category: '<i>Cat</i> {EVIL_ATTR.replace("'", "''")}'
tags: ['<b>bold</b>', '{EVIL.replace("'", "''")}', '../../../escape', '..']
author: mallory
---

Body text.

```chart
title: '{EVIL.replace("'", "''")}'
caption: '{EVIL_ATTR.replace("'", "''")}'
kind: bar
x: label
y: value
data:
  - {{label: '{EVIL.replace("'", "''")}', value: 1}}
  - {{label: '{EVIL_ATTR.replace("'", "''")}', value: 2}}
```

```insight
question: '{EVIL.replace("'", "''")}'
answer: '{EVIL_ATTR.replace("'", "''")}'
```

```stats
- value: '{EVIL.replace("'", "''")}'
  label: '{EVIL_ATTR.replace("'", "''")}'
```
"""

AUTHORS = f"""mallory:
  name: '{EVIL.replace("'", "''")}'
  bio: '{EVIL_ATTR.replace("'", "''")}'
ada:
  name: Ada Lovelace
"""

OUR_SCRIPTS = ("application/json",)
# The theme's one inline script (base.html: marks the page as scripted before the first paint).
THEME_INLINE = ('document.documentElement.classList.add("js")',)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    import shutil

    from conftest import REPO, SETTINGS, SITES, Project, build_process, pyproject_text
    root = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(SITES / "basic", root)
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "pyproject.toml").write_text(pyproject_text(SETTINGS), "utf-8")
    project = Project(root)
    project.write("content/hostile.md", HOSTILE_ESSAY)
    project.write("content/authors.yaml", AUTHORS)
    result = build_process(project)
    assert result.status == 0, result.err
    return project


def test_no_markup_from_content_becomes_markup(hostile_site):
    for path in sorted(hostile_site.out.rglob("*.html")):
        document = Document(path.read_text("utf-8"))
        assert document.problems == [], path
        for element in document.elements:
            handlers = [name for name in element.attrs if name.startswith("on")]
            assert handlers == [], (path, element)
            assert element.tag not in ("svg", "b", "i") or "onload" not in str(element.attrs)
            if element.tag == "script":
                assert (element.attrs.get("src") or element.attrs.get("type") in OUR_SCRIPTS
                        or element.text.strip() in THEME_INLINE), (path, element)
                assert "alert" not in element.text or element.attrs.get("type") in OUR_SCRIPTS
            if element.tag == "img":
                assert element.attrs.get("src") != "x", path


def test_hostile_text_is_shown_as_text(hostile_site, parse):
    page = parse(hostile_site.page("essays/hostile/"))
    assert page.text_of("h1") == [EVIL]
    assert EVIL in page.text_of("figcaption")[0]
    description = [e.attrs["content"] for e in page.find_all("meta") if
                   e.attrs.get("name") == "description"]
    assert description == [EVIL_ATTR]
    assert any(EVIL in text for text in page.text_of("summary"))
    tags = [e.attrs["content"] for e in page.find_all("meta") if
            e.attrs.get("property") == "article:tag"]
    assert EVIL in tags and "<b>bold</b>" in tags


def test_chart_spec_cannot_end_its_script_early(hostile_site):
    html = hostile_site.page("essays/hostile/")
    start = html.index('<script type="application/json"')
    body = html[html.index(">", start) + 1: html.index("</script>", start)]
    assert "<" not in body
    assert any(EVIL in text for text in strings(json.loads(body)))


def strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_feed_sitemap_and_json_stay_well_formed(hostile_site):
    feed_text = (hostile_site.out / "feed.xml").read_text("utf-8")
    ET.fromstring(feed_text)
    ET.fromstring((hostile_site.out / "sitemap.xml").read_text("utf-8"))
    feed = feedparser.parse(feed_text)
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.link.endswith("/essays/hostile/"))
    assert entry.title == EVIL
    assert "<script>alert" not in entry.content[0].value
    deck_bytes = (hostile_site.out / "insights.json").read_bytes()
    assert b"</script>" not in deck_bytes and b"<" not in deck_bytes
    deck = json.loads(deck_bytes)
    assert {"question": EVIL, "answer": EVIL_ATTR}.items() <= next(
        card for card in deck if card["question"] == EVIL).items()


def test_tags_and_categories_stay_inside_the_output_folder(hostile_site):
    out = hostile_site.out.resolve()
    outside = sorted(p for p in hostile_site.root.parent.iterdir() if p.name != "project")
    assert outside == []
    for path in hostile_site.out.rglob("*"):
        assert out in path.resolve().parents
    assert (hostile_site.out / "tags" / "escape" / "index.html").is_file()
    assert (hostile_site.out / "tags" / "tag" / "index.html").is_file()  # '..' has no letters


def test_a_symlinked_essay_outside_content_is_refused(make_project, build, tmp_path):
    project = make_project("basic")
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\ndate: 2024-01-01\n---\nPrivate notes.\n", "utf-8")
    os.symlink(secret, project.root / "content" / "secret.md")
    result = build(project)
    assert result.status == 1
    assert result.err.startswith("content/secret.md:1: this essay is a symbolic link to a file "
                                 "outside content/")
    assert not project.out.exists()


def test_a_symlinked_media_file_outside_content_is_refused(make_project, build, tmp_path):
    project = make_project("basic")
    secret = tmp_path / "id_rsa"
    secret.write_text("private key", "utf-8")
    os.symlink(secret, project.root / "content" / "media" / "key.txt")
    result = build(project)
    assert result.status == 1
    assert result.err.startswith("content/media/key.txt:1: ")
    assert not project.out.exists()


def test_a_symlink_inside_content_is_fine(make_project, build):
    project = make_project("basic")
    os.symlink("diagram.svg", project.root / "content" / "media" / "same-diagram.svg")
    assert build(project).status == 0
    assert (project.out / "media" / "same-diagram.svg").read_bytes() == \
        (project.root / "content" / "media" / "diagram.svg").read_bytes()
