"""longform/renderworker.py: an edit's essays are rendered by a worker forked as the build
starts (the main process never sets up Markdown), with the same output as a cold build's; an
error comes back as its one line; a worker that died leaves the rendering to the build; what
the worker sees in the output folder is what is there."""

import fcntl
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO, Project, build_process, imported_after

from longform import lastbuild, pipeline, renderworker
from longform.config import load_config
from longform.lastbuild import files_now, last_left, last_record

# (A site with charts reads its memo's chart records with pymdown's fences, and Markdown.)
MARKDOWN_STACK = ("markdown", "longform.markdown", "pymdownx.superfences", "pygments")


def edit(project: Project, name: str, line: str) -> None:
    essay = project.root / "content" / name
    essay.write_text(essay.read_text("utf-8") + f"\n{line}\n", "utf-8")


def assert_as_built_cold(project: Project, tmp_path) -> None:
    """The project's output folder holds what a cold build of a copy of its sources makes."""
    clean = Project(tmp_path / "clean")
    shutil.copytree(project.root, clean.root,
                    ignore=shutil.ignore_patterns("site", ".longform-cache"))
    assert build_process(clean).status == 0
    assert project.files() == clean.files()


def test_an_edit_renders_in_the_worker_with_a_cold_builds_output(make_project, tmp_path):
    project = make_project("allfeatures")
    assert build_process(project).status == 0
    edit(project, "is-pretraining-over.md", "With `code` and a [link](https://example.com/).")
    assert " 1 rendered" in build_process(project).out
    assert_as_built_cold(project, tmp_path)


def test_the_main_process_leaves_markdown_to_the_worker(make_project):
    project = make_project("basic")
    assert build_process(project).status == 0
    edit(project, "third-rail.md", "```python\nprint('code')\n```")
    assert imported_after(["--root", str(project.root)], REPO, " 1 rendered",
                          MARKDOWN_STACK) == set()
    assert "print" in project.page("essays/third-rail/index.html")
    project.write("content/a-new-one.md", "---\ntitle: A New One\ndate: 2024-05-01\n---\n\nNew.\n")
    assert imported_after(["--root", str(project.root)], REPO, " 1 rendered",
                          MARKDOWN_STACK) == set()
    assert "New." in project.page("essays/a-new-one/index.html")


def test_an_error_in_an_edited_essay_comes_back_as_its_one_line(make_project):
    project = make_project("basic")
    assert build_process(project).status == 0
    good = project.files()
    edit(project, "third-rail.md", "```chart\ntitle: T\nkind: pie\nx: a\ny: b\n"
                                   "data: [{a: x, b: 1}]\n```")
    failed = build_process(project)
    assert failed.status == 1 and "Traceback" not in failed.err
    assert failed.err.splitlines()[0] == ("content/third-rail.md:14: unknown kind 'pie'; use "
                                          "bar, line, point, area")
    assert project.files() == good


def test_a_dead_worker_leaves_the_rendering_to_the_build(make_project):
    project = make_project("basic")
    config = load_config(project.root)
    before = pipeline.build(config)
    worker = renderworker.Worker(config.content_dir, config.charts_dir)
    os.kill(worker.pid, signal.SIGKILL)
    edit(project, "third-rail.md", "One more line.")
    rebuilt = pipeline.build(config, before.memo, worker=worker)
    assert rebuilt.rendered == 1
    assert "One more line." in rebuilt.files["essays/third-rail/index.html"].decode()
    assert worker.pid == 0  # waited for


def test_no_worker_without_a_last_build_or_for_many_changed_essays(tmp_path):
    content = tmp_path / "content"
    inputs = {f"{content}/e{i}.md": (None, f"h{i}") for i in range(30)}
    assert renderworker.worker_for(content, tmp_path, None, inputs, 24) is None
    changed = {**inputs, **{path: (None, "other") for path in list(inputs)[:24]}}
    assert renderworker.worker_for(content, tmp_path, inputs, changed, 24) is None
    # A changed chart module or template is no essay file: nothing for a worker to render.
    assert renderworker.worker_for(content, tmp_path, inputs,
                                   {**inputs, f"{tmp_path}/charts/c.py": (None, "x")}, 24) is None


def test_the_caller_works_meanwhile_and_still_gets_the_worker_s_renderings(make_project):
    project = make_project("basic")
    config = load_config(project.root)
    before = pipeline.build(config)
    essay = next(e for e in before.site.essays if e.slug == "third-rail")
    worker = renderworker.Worker(config.content_dir, config.charts_dir)
    links = pipeline.essay_links(before.site.essays, before.site.essays, config, set())
    calls = []
    outcomes = worker.rendered([essay], (links, config.charts_dir, config.cache_dir),
                               meanwhile=lambda: calls.append(worker.pid))
    assert calls and calls[0] > 0  # called once the job was sent, the worker still there
    assert len(outcomes) == 1 and "third-rail" in outcomes[0][0].url


def tamper_with(project: Project, how: str | None) -> None:
    page = project.out / "essays/first-light/index.html"
    if how == "edit":  # in place: its folder's mtime stays
        page.write_text("hand-edited", "utf-8")
    elif how == "add below":  # into a folder the last build left
        (page.parent / "notes.txt").write_text("a stray file", "utf-8")


@pytest.mark.parametrize("how", [None, "edit", "add below"])
def test_the_worker_sees_the_output_folder_as_it_is(make_project, how):
    project = make_project("basic")
    assert build_process(project).status == 0
    out = (project.out.resolve(), *last_left(last_record(project.root), project.out))
    tamper_with(project, how)
    config = load_config(project.root)
    worker = renderworker.Worker(config.content_dir, config.charts_dir, out)
    assert worker.rendered([], (None, None, None)) == []
    seen = worker.files_there()
    assert seen == {path: (info.st_size, info.st_mtime_ns)
                    for path, info in files_now(*out).items()}
    page = "essays/first-light/index.html"
    assert (list(seen[page]) == out[1][page]) == (how != "edit")
    assert ("essays/first-light/notes.txt" in seen) == (how == "add below")


@pytest.mark.parametrize("how", ["edit", "add below"])
def test_an_edit_puts_right_what_the_worker_saw_touched(make_project, tmp_path, how):
    project = make_project("basic")
    assert build_process(project).status == 0
    tamper_with(project, how)
    edit(project, "third-rail.md", "One more line.")
    assert " 1 rendered" in build_process(project).out
    assert_as_built_cold(project, tmp_path)


@pytest.mark.parametrize("job_first", [False, True])
def test_the_worker_answers_with_the_essays_then_the_folder_in_either_order(make_project,
                                                                            monkeypatch, job_first):
    """The worker looks at the output folder while its job is on the way, or, when the job is
    there already, after sending the rendered essays back: the same answers either way."""
    project = make_project("basic")
    assert build_process(project).status == 0
    out = (project.out.resolve(), *last_left(last_record(project.root), project.out))
    tamper_with(project, "add below")
    config = load_config(project.root)
    before = pipeline.build(config)
    essay = next(e for e in before.site.essays if e.slug == "third-rail")
    links = pipeline.essay_links(before.site.essays, before.site.essays, config, set())
    monkeypatch.setattr(renderworker, "_waiting", lambda pipe: job_first)  # forked with it
    worker = renderworker.Worker(config.content_dir, config.charts_dir, out)
    outcomes = worker.rendered([essay], (links, config.charts_dir, config.cache_dir))
    assert len(outcomes) == 1 and "third-rail" in outcomes[0][0].url
    assert worker.files_there() == {path: (info.st_size, info.st_mtime_ns)
                                    for path, info in files_now(*out).items()}
    assert worker.pid == 0


def test_a_job_coming_in_mid_look_is_rendered_first_and_the_look_done_after(make_project,
                                                                            monkeypatch,
                                                                            tmp_path):
    """The worker looks at the folder a slice of files at a time while no job is there: a job
    coming in between two slices stops the look, which goes on where it stopped once the
    essays are sent, with the same answers as ever."""
    project = make_project("basic")
    assert build_process(project).status == 0
    out = (project.out.resolve(), *last_left(last_record(project.root), project.out))
    config = load_config(project.root)
    before = pipeline.build(config)
    essay = next(e for e in before.site.essays if e.slug == "third-rail")
    links = pipeline.essay_links(before.site.essays, before.site.essays, config, set())
    log = tmp_path / "looks.txt"  # written by the forked worker
    real_intact = lastbuild.intact

    def logged(out_dir, manifest, folders):
        with log.open("a") as f:
            f.write(f"{len(manifest) + len(folders)}\n")
        return real_intact(out_dir, manifest, folders)

    looks = []
    monkeypatch.setattr(lastbuild, "intact", logged)
    monkeypatch.setattr(renderworker, "STAT_SLICE", 2)
    # The job is "not there" at the worker's first three looks at its pipe, then it is.
    monkeypatch.setattr(renderworker, "_waiting", lambda pipe: looks.append(1) or len(looks) > 3)
    worker = renderworker.Worker(config.content_dir, config.charts_dir, out)
    outcomes = worker.rendered([essay], (links, config.charts_dir, config.cache_dir))
    assert len(outcomes) == 1 and "third-rail" in outcomes[0][0].url
    assert worker.files_there() == {path: (info.st_size, info.st_mtime_ns)
                                    for path, info in files_now(*out).items()}
    sizes = [int(n) for n in log.read_text().split()]
    assert len(sizes) > 3 and max(sizes) == 2  # slices only: three before the job, the rest after
    assert sum(sizes) == len(out[1]) + len(out[2])  # each file and folder stat-ed once


def test_the_worker_renders_without_importing_the_pipeline_yaml_or_charts(make_project):
    """A rebuild's worker is forked before the pipeline is imported, so that it sets up
    Markdown while the main process imports the rest: warming up and rendering an essay needs
    no more. Its head start is what Pagefind's start waits on in an edit: an essay with no
    YAML block and no chart (most) needs neither PyYAML nor the chart modules (5 ms each to
    import), and the warm-up's own essay has TOML frontmatter."""
    project = make_project("basic")
    script = (
        "import pickle, sys\n"
        "from longform import renderworker\n"
        "from longform.markdown import warmed\n"
        "essay, shared = pickle.load(sys.stdin.buffer)\n"
        "warmed(essay.source.parent, shared[1])\n"
        "outcome = renderworker.rendered_or_error(essay, *shared)\n"
        "print(outcome[0].url, *(name in sys.modules for name in\n"
        "      ('longform.pipeline', 'jinja2', 'yaml', 'longform.charts')))\n")
    config = load_config(project.root)
    before = pipeline.build(config)
    essay = next(e for e in before.site.essays if e.slug == "third-rail")
    links = pipeline.essay_links(before.site.essays, before.site.essays, config, set())
    job = pickle.dumps((essay, (links, config.charts_dir, config.cache_dir)))
    proc = subprocess.run([sys.executable, "-c", script], input=job, capture_output=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().split() == [essay.url, "False", "False", "False", "False"]


def test_spare_work_stops_once_the_worker_s_answer_is_in(make_project):
    project = make_project("basic")
    config = load_config(project.root)
    before = pipeline.build(config)
    essay = next(e for e in before.site.essays if e.slug == "third-rail")
    links = pipeline.essay_links(before.site.essays, before.site.essays, config, set())
    worker = renderworker.Worker(config.content_dir, config.charts_dir)
    calls = []

    def until_answered():
        deadline = time.monotonic() + 60
        while not renderworker._waiting(worker.results.fileno()) and time.monotonic() < deadline:
            time.sleep(0.01)
        calls.append("waited")

    outcomes = worker.rendered([essay], (links, config.charts_dir, config.cache_dir),
                               meanwhile=lambda: calls.append("meanwhile"),
                               spare=[until_answered, lambda: calls.append("too late")])
    assert calls == ["meanwhile", "waited"]
    assert len(outcomes) == 1 and "third-rail" in outcomes[0][0].url
    worker.close()


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="Linux pipes only")
def test_the_job_pipe_holds_a_large_site_s_link_table(tmp_path):
    worker = renderworker.Worker(tmp_path, tmp_path)
    try:
        assert fcntl.fcntl(worker.jobs.fileno(), fcntl.F_GETPIPE_SZ) >= 1 << 20
    finally:
        worker.close()
