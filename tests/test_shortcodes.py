"""longform/dialects/shortcodes.py and embeds.py: Hugo's shortcodes in both delimiters, Hugo's
own and the writer's ported ones, each problem at its line. The sample Hugo site
(tests/sites/hugo) is built end to end."""

from conftest import Document, broken_links
from dialect_helpers import BODY_LINE, rendered
from hypothesis import given, settings
from hypothesis import strategies as st
from test_liquid import foreign_syntax


def test_ref_and_relref_give_essay_urls_in_every_spelling():
    html, problems, _ = rendered(
        '[a]({{< ref "2019-01-01-other.md" >}}) [b]({{< relref "other" >}}) '
        '[c]({{% ref "/post/bundle/index.md#part" %}}) [d]({{< ref path="bundle" >}})')
    assert problems == []
    assert Document(html).links() == ["/essays/other/", "/essays/other/",
                                      "/essays/bundle/#part", "/essays/bundle/"]


def test_a_ref_to_no_essay_is_an_error_at_its_line_or_a_warning_when_asked():
    body = 'Para.\n\n[x]({{< ref "missing.md" >}})\n'
    _, problems, result = rendered(body)
    assert problems == [f"{BODY_LINE + 2}: {{{{< ref >}}}} names 'missing.md', but there is no "
                        "such essay in content/; check the name"]
    assert type(result.problems[0]).__name__ == "ContentError"
    _, _, result = rendered(body, broken_links="warn")
    assert type(result.problems[0]).__name__ == "ContentWarning"


def test_figure_has_its_caption_link_and_sizes():
    html, problems, _ = rendered(
        'Before.\n\n{{< figure src="/media/a.png" alt="A plot" caption="Loss *falls*." '
        'title="Figure 2" link="https://example.com/big.png" width="640" height="320" >}}\n')
    assert problems == []
    figure = Document(html)
    assert figure.find_all("img", src="/media/a.png", alt="A plot", width="640", height="320")
    assert figure.find_all("a", href="https://example.com/big.png")
    assert "<figcaption><strong>Figure 2</strong> Loss <em>falls</em>.</figcaption>" in html
    assert "<p><figure" not in html


def test_videos_are_cards_that_load_nothing_until_clicked():
    html, problems, _ = rendered("{{< youtube dQw4w9WgXcQ >}}\n\n"
                                 '{{< vimeo id="76979871" title="A short film" >}}\n')
    assert problems == []
    document = Document(html)
    links = document.find_all("a", class_="video-card__link")
    assert [a.attrs["href"] for a in links] == ["https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                                                "https://vimeo.com/76979871"]
    assert not document.find_all("iframe") and not document.find_all("img")
    assert document.text_of("span", class_="video-card__title") == ["Video on YouTube",
                                                                    "A short film"]


def test_gist_post_and_instagram_are_plain_links():
    html, problems, _ = rendered(
        "{{< gist spf13 7896402 >}}\n\n{{< tweet user=\"ada\" id=\"123\" >}}\n\n"
        "Inline {{< x user=\"ada\" id=\"456\" >}} here.\n\n{{< instagram BWNjjyYFxVx >}}\n")
    assert problems == []
    assert Document(html).links() == ["https://gist.github.com/spf13/7896402",
                                      "https://x.com/ada/status/123",
                                      "https://x.com/ada/status/456",
                                      "https://www.instagram.com/p/BWNjjyYFxVx/"]
    assert "<p>Inline <a href=\"https://x.com/ada/status/456\">" in html


def test_highlight_with_line_numbers_and_marked_lines():
    html, problems, _ = rendered('{{< highlight go "linenos=table,hl_lines=2,linenostart=10" >}}'
                                 "\npackage main\nfunc main() {}\n{{< /highlight >}}\n")
    assert problems == []
    document = Document(html)
    assert document.text_of("td", class_="linenos") == ["10 11"]
    assert document.find_all("span", class_="hll")


def test_param_reads_the_frontmatter():
    from dialect_helpers import ROOT, essay, links

    from longform import markdown
    result, _ = markdown.rendered(essay("Used {{< param optimizer >}} and {{< param tool >}}.",
                                        optimizer="AdamW <fast>"), links(), ROOT, None)
    assert "Used AdamW &lt;fast&gt; and ." in result.html
    assert [p.message for p in result.problems] == [
        "shortcode 'param' needs a frontmatter value 'tool' (text or a number); it is left out "
        "of the page"]


def test_custom_shortcodes_get_arguments_and_inner_text(tmp_path):
    folder = tmp_path / "templates" / "shortcodes"
    folder.mkdir(parents=True)
    (folder / "box.html").write_text('<div class="box box--{{ args[0] }}" title="{{ title }}">'
                                     "{{ inner }}</div>")
    (folder / "newsletter.html").write_text('<aside class="letter">{{ list }}</aside>')
    html, problems, _ = rendered(
        '{{% box warn title="Mind" %}}\nSome **bold** and {{< ref "other" >}}.\n{{% /box %}}\n\n'
        '{{< box info >}}<em>raw</em>{{< /box >}}\n\n{{< newsletter list="weekly" />}}\n',
        root=tmp_path)
    assert problems == []
    assert ('<div class="box box--warn" title="Mind"><p>Some <strong>bold</strong> and '
            "/essays/other/.</p></div>") in html
    assert '<div class="box box--info" title=""><em>raw</em></div>' in html
    assert '<aside class="letter">weekly</aside>' in html


def test_unknown_shortcodes_and_stray_closers_are_warnings_and_left_out():
    html, problems, _ = rendered("A {{< mystery x=1 >}} b\n\n{{% aside %}}kept text{{% /aside %}}"
                                 "\n\n{{< /orphan >}}\n")
    assert problems == [
        f"{BODY_LINE}: shortcode 'mystery' is unknown: add templates/shortcodes/mystery.html to "
        "port it; it is left out of the page",
        f"{BODY_LINE + 2}: shortcode 'aside' is unknown: add templates/shortcodes/aside.html to "
        "port it; it is left out of the page; the text inside is kept",
        f"{BODY_LINE + 4}: '{{{{< /orphan >}}}}' closes a shortcode that was never opened; it is "
        "left out of the page"]
    assert "<p>A  b</p>" in html and "<p>kept text</p>" in html and "{{" not in html


def test_shortcodes_in_code_are_shown_as_written_and_comments_unescape():
    html, problems, _ = rendered('`{{< youtube x >}}`\n\n```\n{{% note %}}\n```\n\n'
                                 "Write {{</* figure */>}} in Hugo.\n")
    assert problems == []
    assert Document(html).text_of("code") == ["{{< youtube x >}}", "{{% note %}}"]
    assert "Write {{&lt; figure &gt;}} in Hugo." in html or "Write {{< figure >}}" in html


def test_the_hugo_site_builds_with_bundles_and_every_shortcode(make_project, build):
    project = make_project("hugo")
    result = build(project)
    assert result.status == 0, result.err
    assert result.err == ""  # nothing left out, nothing to warn about
    assert foreign_syntax(project.out) == []
    assert broken_links(project.out) == []
    noise = Document(project.page("essays/gradient-noise/"))  # TOML, a page bundle
    assert noise.find_all("img", src="/post/gradient-noise/noise.svg", width="640")
    assert noise.text_of("figcaption") == ["Figure 1 Noise in the gradient estimate falls like "
                                           "one over the square root of the batch."]
    assert noise.find_all("a", href="/essays/learning-rate-warmup/")
    assert noise.text_of("td", class_="linenos") == ["1 2 3"]
    assert (project.out / "post/gradient-noise/noise.svg").is_file()
    warmup = Document(project.page("essays/learning-rate-warmup/"))  # YAML
    assert any(text.endswith("This run used AdamW.") for text in warmup.text_of("p"))
    assert len(warmup.find_all("a", class_="video-card__link")) == 2
    assert warmup.find_all("aside", class_="newsletter")
    notes = Document(project.page("essays/batch-size-notes/"))
    assert notes.find_all("div", class_="note note--warning")
    assert notes.find_all("a", href="https://gist.github.com/mira-k/4f9c2a1b7e3d")
    assert notes.find_all("a", href="/charts/loss.json")  # the vegaLite shortcode, ported
    assert (project.out / "charts/loss.json").read_bytes() == \
        (project.root / "static/charts/loss.json").read_bytes()
    harness = Document(project.page("essays/eval-harness/"))
    assert '{{< figure src="plot.png" caption="Shown, never run." >}}' in \
        harness.text_of("code")[-1]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ09 ,.:;?()%/", max_size=14).map("F".__add__),
       st.booleans())
def test_markdownify_of_a_plain_line_is_what_markdown_makes_of_it(text, blocks):
    # A plain line skips the conversion (a millisecond a caption): the HTML must not change.
    from longform.dialects.templates import _inner_markdown, markdownified
    html = _inner_markdown().reset().convert(text)
    expected = html if blocks or html.count("<p>") != 1 else html[3:-4]
    assert str(markdownified(text, blocks)) == expected
