"""`python build.py check`: every problem of tests/sites/check (seeded with one of each) at its
line, sorted, counted; exit status by errors, warnings and --strict; nothing written."""

import shutil

# (path:line, kind, fragment of the message), in the order check prints them.
EXPECTED = [
    ("content/bad-frontmatter.md:2", "error", "invalid YAML"),
    ("content/broken-links.md:10", "error", "'/essays/no-such-essay/' leads nowhere"),
    ("content/broken-links.md:12", "error", "image '/media/missing.png' leads nowhere"),
    ("content/broken-links.md:14", "error", "this page has no element with id 'no-such-heading'"),
    ("content/broken-links.md:16", "error", "/essays/good/ has no element with id 'no-such-part'"),
    ("content/duplicate-title.md:2", "warning", "'A Good Essay' is also the title of good.md"),
    ("content/more/good.md:1", "error", "slug 'good' is also used by good.md"),
    ("content/scheduled.md:3", "warning", "scheduled, so left out of the build"),
    ("content/untitled-chart.md:10", "error", "needs a title"),
    ("content/warnings.md:1", "warning", "no tags"),
    ("content/warnings.md:4", "warning", "the dek is 339 characters long"),
    ("content/warnings.md:6", "warning", "related: 'no-such-essay' is not the slug of any essay"),
    ("content/warnings.md:11", "warning", "image '/media/figure.svg' has no alt text"),
    ("content/warnings.md:15", "warning", "heading 'Too deep' is level 4 right after level 2"),
]
ERROR_FILES = ["bad-frontmatter.md", "broken-links.md", "more", "untitled-chart.md"]



def test_every_seeded_problem_at_its_line_in_order(make_project, check):
    project = make_project("check")
    status, lines, count = check(project)
    assert status == 1
    assert len(lines) == len(EXPECTED), "\n".join(lines)
    for line, (where, kind, fragment) in zip(lines, EXPECTED, strict=True):
        assert line.startswith(f"{where}: "), line
        assert (": warning: " in line) == (kind == "warning"), line
        assert fragment in line, line
    assert count == "7 errors, 7 warnings."


def test_check_writes_no_site(make_project, check):
    project = make_project("check")
    check(project)
    assert not project.out.exists()


def test_warnings_alone_exit_zero_unless_strict(make_project, check):
    project = make_project("check")
    for name in ERROR_FILES:
        path = project.root / "content" / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    status, lines, count = check(project)
    assert status == 0
    assert len(lines) == 7 and all(": warning: " in line for line in lines)
    assert count == "0 errors, 7 warnings."
    status, _, _ = check(project, "--strict")
    assert status == 1


def test_a_clean_site_says_so(make_project, check):
    project = make_project("check")
    content = project.root / "content"
    for name in [*ERROR_FILES, "warnings.md", "duplicate-title.md", "scheduled.md"]:
        path = content / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    (content / "good.md").write_text((content / "good.md").read_text().replace(
        "[link to another essay](warnings.md)", "link"), "utf-8")
    assert check(project, "--strict") == (0, [], "No problems found.")


def test_build_lists_every_problem_of_the_probe_essay_and_keeps_the_old_site(make_project,
                                                                             build):
    project = make_project("check")
    content = project.root / "content"
    for name in ["bad-frontmatter.md", "more", "untitled-chart.md", "broken-links.md"]:
        path = content / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    first = build(project)
    assert first.status == 0, first.err
    assert "content/warnings.md:15: warning: heading 'Too deep'" in first.err
    assert "content/scheduled.md:3: warning: dated 2999-01-01" in first.err
    assert not (project.out / "essays" / "scheduled").exists()
    before = project.files()
    shutil.copy(make_project("check").root / "content" / "broken-links.md", content)
    second = build(project)
    assert second.status == 1
    lines = second.err.strip().splitlines()
    errors = [line for line in lines if line.startswith("content/broken-links.md")]
    assert [line.split(": ")[0] for line in errors] == [
        "content/broken-links.md:10", "content/broken-links.md:12",
        "content/broken-links.md:14", "content/broken-links.md:16"]
    assert lines[-1] == "4 errors, 7 warnings. Nothing was published."
    assert project.files() == before


def test_drafts_flag_shows_scheduled_essays(make_project, build):
    project = make_project("check")
    content = project.root / "content"
    for name in ERROR_FILES:
        path = content / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    result = build(project, "--drafts")
    assert result.status == 0, result.err
    assert (project.out / "essays" / "scheduled" / "index.html").is_file()
    assert "scheduled" not in result.err


def test_related_to_a_draft_or_scheduled_essay_says_which(make_project, check):
    project = make_project("basic")
    project.write("content/later.md", "---\ntitle: Later\ndate: 2999-05-01\ntags: [x]\n---\n"
                                      "Soon.\n")
    project.write("content/pointer.md", "---\ntitle: Pointer\ndate: 2024-01-01\ntags: [x]\n"
                                        "related: [later, unfinished]\n---\nText.\n")
    _, lines, _ = check(project)
    related = [line for line in lines if "related:" in line]
    assert related == [
        "content/pointer.md:5: warning: related: 'later' is scheduled for 2999-05-01, left out "
        "of this build; it is skipped",
        "content/pointer.md:5: warning: related: 'unfinished' is a draft, left out of this "
        "build; it is skipped",
    ]


# --- Every problem in one run ------------------------------------------------------------------

PROBE = """---
title: Probe
date: 2024-03-01
tags: [Testing]
---

A link to [an essay that is not there](no-such-essay.md).

![A picture that is not there](media/missing.png)

A link to [a heading that is not here](#nowhere).

A link to [a part of another essay that is not there](good.md#no-such-part).
"""
PROBE_LINES = [
    "content/probe.md:7: link to 'no-such-essay.md', but there is no such essay in content/",
    "content/probe.md:9: image '/media/missing.png' leads nowhere",
    "content/probe.md:11: link to '#nowhere': this page has no element with id 'nowhere'",
    "content/probe.md:13: link to '/essays/good/#no-such-part': /essays/good/ has no element "
    "with id 'no-such-part'"]


def clean_check_site(make_project):
    project = make_project("check")
    for name in [*ERROR_FILES, "warnings.md", "duplicate-title.md", "scheduled.md"]:
        path = project.root / "content" / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    good = project.root / "content" / "good.md"
    good.write_text(good.read_text().replace("[link to another essay](warnings.md)", "link"))
    return project


def test_the_probe_essay_gets_all_four_problems_from_check_and_build(make_project, check, build):
    project = clean_check_site(make_project)
    project.write("content/probe.md", PROBE)
    status, lines, count = check(project)
    assert status == 1 and count == "4 errors, 0 warnings."
    for line, expected in zip(lines, PROBE_LINES, strict=True):
        assert line.startswith(expected), line
    result = build(project)
    assert result.status == 1
    *lines, count = result.err.splitlines()
    for line, expected in zip(lines, PROBE_LINES, strict=True):
        assert line.startswith(expected), line
    assert count == "4 errors, 0 warnings. Nothing was published."
    assert not project.out.exists()


def test_one_bad_essay_never_hides_another(make_project, build):
    project = clean_check_site(make_project)
    project.write("content/a-bad-date.md", "---\ntitle: A\ndate: someday\n---\nText.\n")
    project.write("content/z-probe.md", PROBE.replace("good.md#", "a-bad-date.md#"))
    result = build(project)
    assert result.status == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("content/a-bad-date.md:3: date 'someday' is not a date")
    assert [line.split(": ")[0] for line in lines[1:-1]] == [
        "content/z-probe.md:7", "content/z-probe.md:9", "content/z-probe.md:11"]
    assert lines[-1] == "4 errors, 0 warnings. Nothing was published."


def test_build_lists_fifty_problems_and_check_lists_them_all(make_project, check, build):
    project = clean_check_site(make_project)
    for number in range(60):
        project.write(f"content/broken-{number:02}.md", PROBE.split("\n![")[0]
                      .replace("title: Probe", f"title: Probe {number}") + "\n")
    result = build(project)
    assert result.status == 1
    lines = result.err.splitlines()
    assert len(lines) == 52
    assert lines[0].startswith("content/broken-00.md:7: link to 'no-such-essay.md'")
    assert lines[49].startswith("content/broken-49.md:7: ")
    assert lines[50:] == ["… and 10 more", "60 errors, 0 warnings. Nothing was published."]
    status, lines, count = check(project)
    assert (status, len(lines), count) == (1, 60, "60 errors, 0 warnings.")


def test_broken_links_can_be_warnings_while_a_site_migrates(make_project, check, build):
    project = clean_check_site(make_project)
    project.write("pyproject.toml", (project.root / "pyproject.toml").read_text("utf-8")
                  + 'broken_links = "warn"\n')
    project.write("content/probe.md", PROBE)
    result = build(project)
    assert result.status == 0, result.err
    lines = result.err.splitlines()
    assert [line.split(": warning: ")[0] for line in lines] == [
        "content/probe.md:7", "content/probe.md:9", "content/probe.md:11", "content/probe.md:13"]
    assert (project.out / "essays/probe/index.html").is_file()
    assert check(project)[0] == 0
    assert check(project, "--strict")[0] == 1
