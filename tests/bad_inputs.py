"""The bad-input table: files written into a copy of tests/sites/basic → the one line the build
must print, as (path:line, fragment of the message). Run by tests/test_bad_inputs.py.

Essay cases share a five-line frontmatter, so a body's first line is line 7.
"""

from dataclasses import dataclass

HEAD = "---\ntitle: Bad\ndate: 2024-01-01\ntags: [x]\n---\n\n"  # body starts at line 7


def body(text: str) -> dict:
    return {"content/bad.md": HEAD + text + "\n"}


def frontmatter(text: str, rest: str = "Body.\n") -> dict:
    return {"content/bad.md": f"---\n{text}\n---\n\n{rest}"}


def chart(yaml: str) -> dict:
    return body(f"Before.\n\n```chart\n{yaml}\n```")  # the fence is line 9


@dataclass(frozen=True)
class Case:
    id: str
    files: dict  # path in the project → text or bytes
    where: str  # "content/bad.md:7"
    message: str  # a fragment of the message


CASES = [
    # Frontmatter
    Case("yaml-syntax", frontmatter("title: A: B\ndate: 2024-01-01"), "content/bad.md:2",
         "invalid YAML"),
    Case("yaml-bad-indent", frontmatter("title: X\n  date: 2024-01-01\n tags: [a]"),
         "content/bad.md:3", "invalid YAML"),
    Case("never-closed", {"content/bad.md": "---\ntitle: X\ndate: 2024-01-01\n\nBody.\n"},
         "content/bad.md:1", "never closed"),
    Case("no-frontmatter", {"content/bad.md": "Just words.\n"}, "content/bad.md:1",
         "no frontmatter"),
    Case("frontmatter-list", frontmatter("- title\n- date"), "content/bad.md:2",
         "the frontmatter is a list"),
    Case("frontmatter-scalar", frontmatter("just some words"), "content/bad.md:2",
         "the frontmatter is a single value"),
    Case("toml-syntax", {"content/bad.md": "+++\ntitle = \"X\"\ndate = \n+++\nBody.\n"},
         "content/bad.md:3", "invalid TOML"),
    Case("missing-title", frontmatter("date: 2024-01-01"), "content/bad.md:1",
         "missing 'title'"),
    Case("empty-title", frontmatter("title: '  '\ndate: 2024-01-01"), "content/bad.md:2",
         "missing 'title'"),
    Case("title-list", frontmatter("title: [a, b]\ndate: 2024-01-01"), "content/bad.md:2",
         "'title' must be text"),
    Case("missing-date", frontmatter("title: X"), "content/bad.md:1", "missing 'date'"),
    Case("date-words", frontmatter("title: X\ndate: last tuesday"), "content/bad.md:3",
         "date 'last tuesday' is not a date"),
    Case("date-impossible", frontmatter("title: X\ndate: '2024-02-30'"), "content/bad.md:3",
         "is not a date"),
    Case("updated-words", frontmatter("title: X\ndate: 2024-01-01\nupdated: soon"),
         "content/bad.md:4", "'updated' value 'soon' is not a date"),
    Case("tags-mapping", frontmatter("title: X\ndate: 2024-01-01\ntags: {a: 1}"),
         "content/bad.md:4", "'tags' must be a list of text"),
    Case("tags-numbers", frontmatter("title: X\ndate: 2024-01-01\ntags: [1, 2]"),
         "content/bad.md:4", "'tags' must be a list of text"),
    Case("category-mapping", frontmatter("title: X\ndate: 2024-01-01\ncategory: {a: b}"),
         "content/bad.md:4", "'category' must be text"),
    Case("dek-list", frontmatter("title: X\ndate: 2024-01-01\ndek: [a, b]"),
         "content/bad.md:4", "'dek' must be text"),
    Case("draft-word", frontmatter("title: X\ndate: 2024-01-01\ndraft: maybe"),
         "content/bad.md:4", "'draft' must be true or false"),
    Case("author-mapping", frontmatter("title: X\ndate: 2024-01-01\nauthor: {name: Y}"),
         "content/bad.md:4", "'author' must be an author's key"),
    Case("related-mapping", frontmatter("title: X\ndate: 2024-01-01\nrelated: {a: b}"),
         "content/bad.md:4", "'related' must be a list of essay slugs"),
    Case("slug-slash", frontmatter("title: X\ndate: 2024-01-01\nslug: a/b"),
         "content/bad.md:4", "may not contain '/'"),
    Case("slug-escape", frontmatter("title: X\ndate: 2024-01-01\nslug: ../../../etc"),
         "content/bad.md:4", "may not contain"),
    Case("slug-symbols", frontmatter("title: X\ndate: 2024-01-01\nslug: '!!!'"),
         "content/bad.md:4", "has no letters or digits"),
    Case("slug-taken", frontmatter("title: X\ndate: 2024-01-01\nslug: first-light"),
         "content/first-light.md:1", "slug 'first-light' is also used by bad.md"),
    Case("not-utf8", {"content/bad.md": b"---\ntitle: X\ndate: 2024-01-01\n---\n\ncaf\xe9\n"},
         "content/bad.md:6", "not UTF-8"),
    Case("authors-list", {"content/authors.yaml": "- ada\n- bo\n"}, "content/authors.yaml:1",
         "authors.yaml must map author keys"),
    Case("authors-yaml-syntax", {"content/authors.yaml": "ada:\n  name: [Ada\n"},
         "content/authors.yaml:3", "invalid YAML"),
    # Links
    Case("link-no-such-essay", body("See [this](no-such-essay.md)."), "content/bad.md:7",
         "link to 'no-such-essay.md', but there is no such essay"),
    Case("link-to-draft", body("Intro.\n\nSee [this](unfinished.md)."), "content/bad.md:9",
         "a draft left out of this build"),
    Case("link-no-such-page", body("Intro.\n\nSee [this](/essays/nowhere/)."),
         "content/bad.md:9", "leads nowhere"),
    Case("image-missing", body("![A chart](media/no-such-chart.png)"), "content/bad.md:7",
         "image '/media/no-such-chart.png' leads nowhere"),
    Case("fragment-missing", body("## Here\n\nBack to [there](#there)."), "content/bad.md:9",
         "no element with id 'there'"),
    Case("fragment-missing-elsewhere", body("See [storms](second-wind.md#hurricanes)."),
         "content/bad.md:7", "has no element with id 'hurricanes'"),
    # Components
    Case("chart-yaml", chart("title: [unclosed\nkind: bar"), "content/bad.md:10",
         "chart block: YAML error"),
    Case("chart-not-mapping", chart("- a\n- b"), "content/bad.md:9", "a chart block is a YAML "
                                                                     "mapping"),
    Case("chart-kind", chart("title: T\nkind: pie\nx: a\ny: b\ndata: [{a: x, b: 1}]"),
         "content/bad.md:11", "unknown kind 'pie'"),
    Case("chart-field", chart("title: T\nx: a\ny: c\ndata: [{a: x, b: 1}]"),
         "content/bad.md:12", "no data row has a field 'c'"),
    Case("chart-unknown-key", chart("title: T\ncolour: red\nx: a\ny: b\ndata: [{a: x, b: 1}]"),
         "content/bad.md:11", "unknown chart key 'colour'"),
    Case("chart-no-title", chart("x: a\ny: b\ndata: [{a: x, b: 1}]"), "content/bad.md:9",
         "needs a title"),
    Case("chart-data-file", chart("title: T\nx: a\ny: b\ndata: charts/data/nothing.csv"),
         "content/bad.md:13", "data file charts/data/nothing.csv does not exist"),
    Case("chart-data-outside", chart("title: T\nx: a\ny: b\ndata: ../../etc/passwd"),
         "content/bad.md:13", "does not exist"),
    Case("chart-control-character", chart('title: T\nx: a\ny: b\ndata: [{a: "x\\x03", b: 1}]'),
         "content/bad.md:9", "control character U+0003"),
    Case("chart-module-missing", chart("name: nothing_here\ntitle: T"), "content/bad.md:10",
         "no chart module"),
    Case("stats-no-value", body("```stats\n- {label: Parameters}\n```"), "content/bad.md:8",
         "a stats item needs a value"),
    Case("stats-empty", body("```stats\n```"), "content/bad.md:7", "a stats block is a list"),
    Case("insight-no-answer", body("```insight\nquestion: Why?\n```"), "content/bad.md:7",
         "an insight needs an answer"),
    # Theme
    Case("template-syntax", {"templates/index.html": "{% extends 'base.html' %}\n"
                                                     "{% block content %}{% if %}{% endblock %}\n"},
         "templates/index.html:2", "template error"),
    Case("template-undefined", {"templates/404.html": "{% extends 'base.html' %}\n"
                                                      "{% block content %}\n"
                                                      "{{ nothing.here }}\n{% endblock %}\n"},
         "templates/404.html:3", "template error while rendering 404.html"),
    Case("template-broken-link", {"templates/404.html": "{% extends 'base.html' %}\n"
                                                        "{% block content %}\n"
                                                        "<a href=\"{{ url('help/') }}\">Help</a>"
                                                        "\n{% endblock %}\n"},
         "templates/404.html:3", "link to '/help/' leads nowhere"),
]
