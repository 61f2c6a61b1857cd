"""longform/dialects/liquid.py: Jekyll's Liquid as posts use it, each problem at its line, and
code and math never touched. The sample Jekyll blog (tests/sites/jekyll) is built end to end."""

import re

from conftest import Document, broken_links
from dialect_helpers import BODY_LINE, rendered


def test_site_and_page_values_with_the_url_filters():
    html, problems, _ = rendered(
        "{{ site.title }} · {{ page.title }} · {{ site.url }} · [a]({{ site.baseurl }}/x.png)\n"
        '{{ "/assets/a.png" | relative_url }} {{ "b.png" | absolute_url }} '
        '{{ "/c.png" | prepend: site.baseurl }} {{ page.date | date: "%Y" }}')
    assert problems == []
    assert "Field Notes · A Post · https://example.org · " in html
    assert '<a href="/x.png">a</a>' in html
    assert "/assets/a.png https://example.org/b.png /c.png 2024" in html


def test_a_sub_path_base_url_reaches_every_url():
    html, problems, _ = rendered(
        "[x]({{ site.baseurl }}/x.png) {{ '/a.png' | relative_url }} "
        "[o]({{ site.baseurl }}{% post_url 2019-01-01-other %}) "
        "[p]({% post_url 2019-01-01-other %})",
        base_url="https://example.org/blog/")
    assert problems == []
    assert '<a href="/blog/x.png">x</a> /blog/a.png' in html
    assert html.count('href="/blog/essays/other/"') == 2  # Jekyll 3 and Jekyll 4 spellings


def test_post_url_and_link_give_essay_urls_or_an_error_at_the_line():
    html, problems, _ = rendered(
        "[o]({% post_url 2019-01-01-other %}) [l]({% link _posts/2019-01-01-other.md %})\n\n"
        "[gone]({% post_url 2018-02-19-gone %}) [d]({% post_url unfinished %})\n")
    assert html.count('href="/essays/other/"') == 2
    assert problems == [
        f"{BODY_LINE + 2}: {{% post_url %}} names '2018-02-19-gone', but there is no such "
        "essay in content/; check the name",
        f"{BODY_LINE + 2}: {{% post_url %}} names 'unfinished', a draft left out of this build; "
        "build with --drafts or remove the link"]


def test_highlight_is_a_fenced_block_with_line_numbers_when_asked():
    html, problems, _ = rendered("Intro.\n\n{% highlight python linenos %}\ndef f():\n"
                                 "    return '{{ x }}'\n{% endhighlight %}\n\n"
                                 "{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\nAfter.\n")
    assert problems == []
    document = Document(html)
    assert len(document.find_all("td", class_="linenos")) == 1  # only the linenos block
    assert len(document.find_all("div", class_="highlight")) == 2
    assert "{{ x }}" in "".join(document.text_of("code"))
    assert '<span class="k">def</span>' in html and '<span class="nb">puts</span>' in html


def test_raw_and_comment():
    html, problems, _ = rendered("{% raw %}{{ kept }} {% if %}{% endraw %} and "
                                 "{% comment %}gone{% endcomment %}end.")
    assert problems == []
    assert "<p>{{ kept }} {% if %} and end.</p>" in html


def test_raw_tags_inside_code_go_and_nothing_else_there_changes():
    html, problems, _ = rendered("```liquid\n{% raw %}{{ page.title }}{% endraw %}\n```\n\n"
                                 "`{{ site.title }}` and `{% include x.html %}`\n")
    assert problems == []
    code = Document(html).text_of("code")
    assert code == ["{{ page.title }}", "{{ site.title }}", "{% include x.html %}"]


def test_liquid_in_indented_code_and_math_is_left_alone():
    html, problems, _ = rendered("Text.\n\n    {{ site.title }} in code\n\n"
                                 "Math $\\frac{{a}}{b}$ and $$\n{{x}}\n$$ stay.\n")
    assert problems == []
    assert "{{ site.title }} in code" in html
    # math.py turns both into MathML, whose TeX annotation keeps them as written
    assert "\\frac{{a}}{b}" in html and "{{x}}" in html and "<math" in html


def test_include_renders_the_writers_template(tmp_path):
    (tmp_path / "templates" / "includes").mkdir(parents=True)
    (tmp_path / "templates" / "includes" / "box.html").write_text(
        '<aside class="box">{{ include.word }} in “{{ page.title }}” on {{ site.title }}</aside>')
    html, problems, _ = rendered('Before.\n\n{% include box.html word="Hello" %}\n\nAfter.',
                                 root=tmp_path)
    assert problems == []
    assert '<aside class="box">Hello in “A Post” on Field Notes</aside>' in html
    assert "<p><aside" not in html


def test_a_missing_include_or_unknown_tag_is_a_warning_and_left_out():
    html, problems, _ = rendered("One {% include nowhere.html %} two\n"
                                 "{% if page.x %}three{% endif %} {{ site.missing }} "
                                 "{{ page.title | slugify }}")
    assert problems == [
        f"{BODY_LINE}: {{% include nowhere.html %}}: there is no templates/includes/nowhere.html"
        "; add it (Jinja) or remove the tag; it is left out of the page",
        f"{BODY_LINE + 1}: Liquid tag '{{% if page.x %}}' is not supported; it is left out of "
        "the page",
        f"{BODY_LINE + 1}: Liquid tag '{{% endif %}}' is not supported; it is left out of the "
        "page",
        f"{BODY_LINE + 1}: Liquid value '{{{{ site.missing }}}}' is not supported; it is left "
        "out of the page",
        f"{BODY_LINE + 1}: Liquid filter 'slugify' is not supported; '{{{{ page.title | slugify"
        " }}' is left out of the page"]
    assert "{%" not in html and "{{" not in html
    assert "<p>One  two\nthree  </p>" in html


def test_an_unclosed_pair_is_a_warning_at_its_line():
    html, problems, _ = rendered("Para.\n\n{% highlight python %}\nx = 1\n")
    assert problems == [f"{BODY_LINE + 2}: {{% highlight %}} has no {{% endhighlight %}}; add "
                        "it after the last line it covers"]
    assert "{%" not in html


def test_lines_after_a_highlight_block_keep_their_numbers():
    _, problems, _ = rendered("{% highlight python %}\na\nb\n{% endhighlight %}\n\n"
                              "{% nope %}\n")
    assert problems == [f"{BODY_LINE + 5}: Liquid tag '{{% nope %}}' is not supported; it is "
                        "left out of the page"]


# --- The sample Jekyll blog ------------------------------------------------------------------

OUTSIDE_CODE = re.compile(r"<pre.*?</pre>|<code>.*?</code>", re.S)


def foreign_syntax(out) -> list[str]:
    """Template syntax a reader would see on any page, outside code."""
    found = []
    for page in sorted(out.rglob("*.html")):
        text = OUTSIDE_CODE.sub("", page.read_text("utf-8"))
        found += [f"{page.relative_to(out)}: {m.group(0)}"
                  for m in re.finditer(r"\{%|\{\{<|\{\{%|\{:", text)]
    return found


def test_the_jekyll_blog_builds_and_every_liquid_form_works(make_project, build):
    project = make_project("jekyll")
    result = build(project)
    assert result.status == 0, result.err
    assert foreign_syntax(project.out) == []
    assert broken_links(project.out) == []
    assert len(list((project.out / "essays").iterdir())) == 13
    batch = Document(project.page("essays/why-we-batch/"))
    assert batch.find_all("img", src="/assets/img/batch.svg")
    assert batch.find_all("a", href="/essays/notes-on-idempotency/")
    assert batch.find_all("td", class_="linenos")
    notes = Document(project.page("essays/notes-on-idempotency/"))
    hrefs = [e.attrs["href"] for e in notes.find_all("li") for e in notes.find_all("a")
             if e.attrs.get("href", "").startswith("/essays/")]
    for slug in ("why-we-batch", "retries-with-jitter", "the-queue-is-the-product",
                 "measuring-tail-latency"):
        assert f"/essays/{slug}/" in hrefs
    latency = Document(project.page("essays/measuring-tail-latency/"))
    assert latency.text_of("figcaption") == ["The 99th percentile moves while the median sits "
                                             "still."]
    assert latency.find_all("a", href="/essays/a-small-cache/")
    flame = Document(project.page("essays/reading-flame-graphs/"))
    assert flame.find_all("img", src="/assets/img/flame.svg")  # absolute_url, own domain
    deleting = project.page("essays/on-deleting-code/")
    assert "This post, &ldquo;On deleting code&rdquo;, is the most-read thing on Sample Essays" \
        in deleting
    assert "Enjoyed “On deleting code”? Sample Essays sends one letter a month, mostly about " \
           "maintenance." in deleting
    retries = Document(project.page("essays/retries-with-jitter/"))
    assert "Next retry in {{ retry.delay }} seconds." in retries.text_of("code")[1]
    assert "{{ retry.attempt }}" in retries.text_of("code")
    hello = Document(project.page("essays/hello-jekyll/"))
    assert hello.find_all("p", class_="signup")


def test_the_jekyll_blog_warns_about_what_it_left_out(make_project, build):
    result = build(make_project("jekyll"))
    assert result.status == 0
    assert ("content/2022-11-19-a-year-of-on-call.md:11: warning: Liquid tag "
            "'{% if site.show_stats %}' is not supported; it is left out of the page"
            in result.err.splitlines())
