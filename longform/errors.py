"""The user-facing problem types: an error that stops the build, a warning that does not."""

import os
from dataclasses import dataclass
from pathlib import Path


class ContentError(Exception):
    """Raised where a problem in content, templates or charts is known; printed once as one line."""

    def __init__(self, path: Path | str, line: int, message: str):
        super().__init__(message)
        self.path = Path(path)
        self.line = max(int(line), 1)
        self.message = message

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.message}"

    def __reduce__(self):
        # Errors cross process boundaries when essays render in a pool.
        return (ContentError, (self.path, self.line, self.message))


@dataclass(frozen=True)
class ContentWarning:
    """Something the build can get past but the writer should hear about."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: warning: {self.message}"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, so messages stay short."""
    # The link's own path first: a symbolic link is reported where it is, not where it leads.
    for mine, cwd in ((Path(os.path.abspath(path)), Path(os.path.abspath(Path.cwd()))),
                      (path.resolve(), Path.cwd().resolve())):
        try:
            return str(mine.relative_to(cwd))
        except ValueError:
            pass
    return str(path)


class Problems(Exception):
    """Every problem one run found (errors and warnings, in file and line order), raised when
    at least one is an error: one bad essay never hides another's problems."""

    def __init__(self, problems):
        unique = {str(p): p for p in problems}  # two equal links on one line: one problem
        self.problems = sorted(unique.values(), key=lambda p: (str(p.path), p.line))
        super().__init__(f"{len(self.errors)} errors")

    @property
    def errors(self) -> list[ContentError]:
        return [p for p in self.problems if isinstance(p, ContentError)]

    @property
    def first(self) -> ContentError:
        return (self.errors or self.problems)[0]

    @property
    def path(self) -> Path:  # the first error's place, where one place is wanted (the overlay)
        return self.first.path

    @property
    def line(self) -> int:
        return self.first.line

    def lines(self, limit: int | None = None) -> list[str]:
        """One line per problem; past `limit`, one line saying how many more there are."""
        shown = [str(p) for p in self.problems[:limit]]
        if limit is not None and len(self.problems) > limit:
            shown.append(f"… and {len(self.problems) - limit} more")
        return shown

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __reduce__(self):
        return (Problems, (self.problems,))


def problems_found(problems) -> None:
    """Raise Problems when any of these problems is an error."""
    if problems_in(problems):
        raise Problems(problems)


def problems_in(problems) -> bool:
    """Whether any of these problems is an error."""
    return any(isinstance(p, ContentError) for p in problems)
