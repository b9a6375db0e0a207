"""Located problems and the single exception the build raises."""

from __future__ import annotations

import dataclasses
import typing as t

Level = t.Literal["error", "warning"]


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    path: str
    """Project-relative path of the file at fault (``content/x.md``, ``config.toml``)."""
    line: int | None
    """1-based line in that file, or None when the whole file is at fault."""
    message: str
    level: Level = "error"

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        prefix = "" if self.level == "error" else "warning: "
        return f"{where}: {prefix}{self.message}"


class BuildError(Exception):
    """Raised when the input has problems; carries every problem found, sorted."""

    def __init__(self, problems: t.Iterable[Problem], *, hint: str | None = None) -> None:
        self.problems = tuple(sorted(problems, key=_sort_key))
        self.hint = hint
        """What would get the build through, when there is something to say (a clause)."""
        super().__init__("\n".join(str(p) for p in self.problems))


def _sort_key(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.message)


def errors_in(problems: t.Iterable[Problem], *, strict: bool = False) -> list[Problem]:
    """Return the problems that fail a build; with ``strict`` warnings count too."""
    return [p for p in problems if strict or p.level == "error"]
