"""site_builder: a static site generator for archives of news articles."""

from __future__ import annotations

from .build import BuildOptions, BuildResult, build
from .config import Config, load_config
from .errors import BuildError, Problem

__version__ = "0.1.0"
__all__ = ["BuildError", "BuildOptions", "BuildResult", "Config", "Problem", "__version__",
           "build", "load_config"]
