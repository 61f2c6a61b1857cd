"""`python build.py import PATH`: bring a Jekyll or Hugo site into this project. Everything is
planned first (each copy, each setting); any clash refuses the whole import before a byte is
written, and the source is only ever read."""

import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError, display_path
from .oldsite import hugo_site, jekyll_site
from .tomltable import with_settings

TABLE = "tool.longform"


@dataclass
class Plan:
    """What an import will do: files to copy or write, settings, and what it leaves behind."""

    kind: str  # "Jekyll" or "Hugo"
    files: dict = field(default_factory=dict)  # target (relative to the project) → Path or bytes
    posts: int = 0
    drafts: int = 0
    static: int = 0
    settings: dict = field(default_factory=dict)
    mapped: list = field(default_factory=list)  # "what → where" lines
    left: dict = field(default_factory=dict)  # kind of thing → names left behind
    doubles: list = field(default_factory=list)  # targets two source files want

    def add(self, target: str, data) -> None:
        if target in self.files:
            self.doubles.append(target)
        self.files[target] = data


def main(source: Path, root: Path) -> int:
    """Plan, refuse on any clash, then copy and set; print the summary."""
    source, root = source.resolve(), root.resolve()
    plan = site_plan(source)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text("utf-8") if pyproject.exists() else ""
    clashes = [(t, "two files of the source would both go here") for t in plan.doubles]
    clashes += [(t, "already exists") for t in sorted(plan.files)
                if (root / t).exists() or (root / t).is_symlink()]
    if clashes:
        for target, why in clashes:
            print(f"{display_path(root / target)}:1: {why}, and import never overwrites; "
                  "move it away (to clear out the example essays, see the README)",
                  file=sys.stderr)
        print(f"Nothing imported: {len(clashes)} clashes.", file=sys.stderr)
        return 1
    new_text = settings_text(pyproject, text, plan.settings)
    for target, data in sorted(plan.files.items()):
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.read_bytes())
    pyproject.write_text(new_text, "utf-8")
    print(summary(plan, source, _table(text)))
    return 0


def site_plan(source: Path) -> Plan:
    if not source.is_dir():
        raise ContentError(source, 1, "there is no folder here to import; give the folder "
                                      "of a Jekyll or Hugo site")
    if any((source / name).is_file() for name in ("_config.yml", "_config.yaml")):
        return jekyll_site(source, Plan("Jekyll"))
    names = [f"{stem}.{ext}" for stem in ("hugo", "config") for ext in ("toml", "yaml", "yml",
                                                                          "json")]
    if any((source / n).is_file() for n in names) or (source / "config" / "_default").is_dir():
        return hugo_site(source, Plan("Hugo"))
    raise ContentError(source, 1, "this is neither a Jekyll site (no _config.yml) nor a Hugo "
                                  "site (no hugo.toml, config.toml or config/_default/)")


def settings_text(pyproject: Path, text: str, settings: dict) -> str:
    """pyproject.toml's text with the settings set, checked by reading it back."""
    new = with_settings(text, TABLE, settings)
    try:
        table = _table(new)
    except tomllib.TOMLDecodeError as err:
        raise ContentError(pyproject, 1, f"pyproject.toml is not valid TOML ({err}); fix it "
                                         "and import again") from None
    if any(table.get(k) != v for k, v in settings.items()):
        raise ContentError(pyproject, 1, "could not set the settings in [tool.longform] as "
                                         "text; set them by hand")
    return new


def _table(text: str) -> dict:
    return tomllib.loads(text).get("tool", {}).get("longform", {})


def summary(plan: Plan, source: Path, old: dict) -> str:
    lines = [f"Imported the {plan.kind} site at {source}:"]
    for key, value in plan.settings.items():
        lines.append(f"  setting {key}: {_shown(old.get(key))} → {_shown(value)}")
    lines.append(f"Brought over: {plan.posts} posts, {plan.drafts} drafts, "
                 f"{plan.static} static files.")
    lines += [f"Mapped: {line}" for line in plan.mapped]
    lines += [f"Left behind: {kind}: {', '.join(names)}" for kind, names in plan.left.items()
              if names]
    lines.append("Next: python build.py (then look at site/_redirects and a few old addresses)")
    return "\n".join(lines)


def _shown(value) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"'

