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
