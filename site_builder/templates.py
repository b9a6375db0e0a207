"""Which file each template is read from, and copying a built-in one to change it.

The build looks a template up in the project's ``templates/`` folder first, then among
the built-in ones (``site_builder/default_templates/``); ``default/NAME`` always reaches
the built-in one (see :mod:`.render`). ``site-builder templates`` shows that resolution,
and ``--eject NAME`` starts an override from the built-in file.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t
from pathlib import Path

from .config import Config
from .errors import BuildError, Problem
from .render import DEFAULT_PREFIX

BUILTIN_DIR = Path(__file__).parent / "default_templates"

Origin = t.Literal["built-in", "project"]


@dataclasses.dataclass(frozen=True, slots=True)
class TemplateFile:
    """A template name and the file the build reads it from."""

    name: str
    path: Path
    origin: Origin
    replaces_builtin: bool = False
    """A project file of a built-in template's name: it is used instead."""


def is_template_name(name: str) -> bool:
    """Return whether a file of a templates folder is a template (a README is not)."""
    base = name.rpartition("/")[2]
    return not base.startswith((".", "README")) and not base.endswith("~")


def builtin_names() -> list[str]:
    """Return the names of the built-in templates, sorted."""
    return sorted(p.name for p in BUILTIN_DIR.iterdir()
                  if p.is_file() and is_template_name(p.name))


def resolve_templates(config: Config) -> list[TemplateFile]:
    """Return every template name with the file it resolves to, sorted by name.

    The built-in names come with the project's file when it has one of that name; the
    project's other templates (partials, pages of its own) follow from the same folder.
    """
    project = _project_names(config.templates_path)
    found = []
    for name in sorted({*builtin_names(), *project}):
        if name in project:
            found.append(TemplateFile(name, config.templates_path / name, "project",
                                      replaces_builtin=(BUILTIN_DIR / name).is_file()))
        else:
            found.append(TemplateFile(name, BUILTIN_DIR / name, "built-in"))
    return found


def _project_names(root: Path) -> set[str]:
    names: set[str] = set()
    if not root.is_dir():
        return names
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for file in files:
            name = (Path(folder) / file).relative_to(root).as_posix()
            if is_template_name(name):
                names.add(name)
    return names


def eject_template(config: Config, name: str) -> Path:
    """Copy the built-in template ``name`` into the project's templates folder; return it.

    Raise :class:`BuildError` when ``name`` is no built-in template or the project has a
    file of that name already: an override is never overwritten.
    """
    name = name.removeprefix(f"{DEFAULT_PREFIX}/")
    if name not in builtin_names():
        raise BuildError([Problem(name, None, "no built-in template of that name "
                                              "('site-builder templates' lists them)")])
    folder = config.templates_path
    shown = f"{config.templates_dir.rstrip('/')}/{name}"
    if folder.exists() and not folder.resolve().is_relative_to(config.project_dir.resolve()):
        raise BuildError([Problem(config.templates_dir, None,
                                  "symbolic link points outside the project")])
    dest = folder / name
    data = (BUILTIN_DIR / name).read_bytes()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with dest.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise BuildError([Problem(shown, None, "already exists: change that file, or delete "
                                               "it to eject the built-in one again")]) from None
    except OSError as exc:
        raise BuildError([Problem(shown, None, f"cannot write: {exc.strerror or exc}")]) from None
    return dest
