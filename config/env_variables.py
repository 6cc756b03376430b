"""The environment variables Rapport reads, found in config/settings.py itself.

Each `env.<reader>("NAME", ...)` call in the settings module is one variable, so this list
cannot drift from the code: `python manage.py env_variables` prints it, and a test checks
that .env.example and the README name every one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SETTINGS_FILE = Path(__file__).resolve().parent / "settings.py"
READERS = frozenset({"str", "bool", "int", "list", "choice", "url", "is_set"})


@dataclass(frozen=True)
class EnvVariable:
    name: str
    reader: str  # str, bool, int, list, choice, url or is_set
    default: str  # the default as written in the settings, or "" when none


def env_variables(settings_file: Path = SETTINGS_FILE) -> list[EnvVariable]:
    """Every variable the settings read, once each, in the order they are first read."""
    found: dict[str, EnvVariable] = {}
    tree = ast.parse(settings_file.read_text())
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.func.attr in READERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            continue
        name = node.args[0].value
        default = ast.unparse(node.args[1]) if len(node.args) > 1 else ""
        found.setdefault(name, EnvVariable(name=name, reader=node.func.attr, default=default))
    return sorted(found.values(), key=lambda variable: variable.name)
