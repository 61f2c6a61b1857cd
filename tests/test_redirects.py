"""redirects.py: a page at every old address that leads on without JavaScript, `_redirects`
for Netlify and Cloudflare Pages, and the errors when an old address would replace a page."""

import pytest
from conftest import Document
from test_urls import essay_file


def test_redirect_pages_lead_to_the_essay_without_javascript(make_project, build):
    project = make_project("basic", legacy_permalinks=["/:year/:month/:day/:title.html"])
    essay_file(project.root, "moved.md", title="Moved essay", extra="tags: [x]\naliases: "
               "[/old/moved/, relative]\nredirect_from: /even-older.html\n")
    result = build(project)
    assert result.status == 0, result.err
    for old in ("2024/01/02/moved-essay.html", "old/moved/index.html", "relative.html",
                "even-older.html", "2024/03/10/first-light.html"):
        page = Document(project.page(old))
        assert not page.find_all("script"), old
        meta = {e.attrs.get("http-equiv") or e.attrs.get("name"): e.attrs["content"]
                for e in page.find_all("meta") if "content" in e.attrs}
        assert meta["robots"] == "noindex"
        target = meta["refresh"].removeprefix("0; url=")
        assert target in ("/essays/moved/", "/essays/first-light/")
        assert page.find_all("link", rel="canonical")[0].attrs["href"] == \
            "https://example.org" + target
        assert [e.attrs["href"] for e in page.find_all("a")] == [target]
    redirects = (project.out / "_redirects").read_text("utf-8")
    assert "/old/moved/ /essays/moved/ 301\n" in redirects
    assert "/even-older.html /essays/moved/ 301\n" in redirects
    assert "redirect.html" not in project.page("sitemap.xml")
    assert "moved-essay.html" not in project.page("sitemap.xml")

def test_no_old_addresses_no_redirects_file(basic):
    assert not (basic.out / "_redirects").exists()

def test_a_redirect_may_not_replace_a_page(make_project, build):
    project = make_project("basic")
    essay_file(project.root, "moved.md", extra="tags: [x]\naliases: [/tags/optics/]\n")
    result = build(project)
    assert result.status == 1
    first = result.err.splitlines()[0]
    assert first == (
        "content/moved.md:5: the old address /tags/optics/ of moved.md is also a page or file "
        "of the site; a redirect may not replace it: change or drop one of them")

def test_two_essays_may_not_claim_one_old_address(make_project, build):
    project = make_project("basic", legacy_permalinks=["/:year/:title.html"])
    essay_file(project.root, "2024-05-05-twin.md", extra="tags: [x]\n")
    essay_file(project.root, "2024-06-06-other.md", extra="tags: [x]\nslug: twin-2\n"
               "redirect_from: [/2024/twin.html]\n")
    result = build(project)
    assert result.status == 1
    assert "the old address /2024/twin.html of " in result.err
    assert "is also an old address of " in result.err

@pytest.mark.parametrize("permalink", ["/tags/optics/", "/", "/media/extra.html"])
def test_an_essay_may_not_replace_another_page_or_file(make_project, build, permalink):
    project = make_project("basic")
    essay_file(project.root, "greedy.md", extra=f"tags: [x]\npermalink: {permalink}\n")
    project.write("content/media/extra.html", "<p>A file kept beside the essays.</p>")
    result = build(project)
    assert result.status == 1
    first = result.err.splitlines()[0]
    assert first == (f"content/greedy.md:5: this essay's URL {permalink} is also "
                                  "a page or file of the site; give it another URL")
