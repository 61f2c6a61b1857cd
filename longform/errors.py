"""The one user-facing error type: a problem in the writer's files, with its location."""

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


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, so messages stay short."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
