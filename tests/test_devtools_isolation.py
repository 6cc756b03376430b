"""The product never imports the development-only app (demo data, benchmarks, drills).

`devtools` is installed in every environment, so that `make run` can seed demo data and the
tests can use it, but nothing a user's request or a worker's task runs may depend on it.
These tests read every module of the product packages with `ast`, without importing them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
PRODUCT_PACKAGES = ("config", "profiles", "matching", "alliance")
DEVELOPMENT_ONLY = "devtools"
# Calls that import a module named by a string.
DYNAMIC_IMPORTS = {"import_module", "__import__", "import_string"}


def _is_development_only(module: str) -> bool:
    return module == DEVELOPMENT_ONLY or module.startswith(f"{DEVELOPMENT_ONLY}.")


def imports_of_development_only_code(source: str) -> list[tuple[int, str]]:
    """Return (line, module) for each import of the development-only app in `source`.

    Counts `import devtools...`, `from devtools... import ...` (inside functions too), and
    import_module / __import__ / import_string calls given the name as a literal.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _is_development_only(a.name)]
        elif isinstance(node, ast.ImportFrom):
            # A relative import stays inside its own package, which is never devtools.
            if node.level == 0 and node.module and _is_development_only(node.module):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            if isinstance(function, ast.Name):
                name = function.id
            first = node.args[0]
            if (
                name in DYNAMIC_IMPORTS
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and _is_development_only(first.value)
            ):
                found.append((node.lineno, first.value))
    return found


def product_modules() -> list[Path]:
    """Every Python file of the product packages, migrations included."""
    return sorted(
        path for package in PRODUCT_PACKAGES for path in (REPOSITORY / package).rglob("*.py")
    )


def test_the_walk_reaches_every_product_package_and_nested_module() -> None:
    modules = {path.relative_to(REPOSITORY).as_posix() for path in product_modules()}

    assert {module.split("/")[0] for module in modules} == set(PRODUCT_PACKAGES)
    # Nested packages and management commands are read too, not only top-level modules.
    assert "matching/management/commands/intro_sweep.py" in modules
    assert "config/settings.py" in modules
    assert any(module.startswith("matching/selectors/") for module in modules)
    assert not any(module.startswith(f"{DEVELOPMENT_ONLY}/") for module in modules)


@pytest.mark.parametrize(
    "source",
    [
        "import devtools",
        "import devtools.demo as demo",
        "from devtools.bench import seed_bench_therapists",
        "from devtools import demo",
        "def f():\n    from devtools.delivery_drill import Drill\n",
        "from importlib import import_module\nimport_module('devtools.bench')",
        "import importlib\nimportlib.import_module('devtools')",
        "__import__('devtools.demo')",
    ],
)
def test_each_way_of_importing_the_development_app_is_caught(source: str) -> None:
    assert imports_of_development_only_code(source)


@pytest.mark.parametrize(
    "source",
    [
        "import matching.ranking",
        "from matching.services import intros",
        "import devtoolsmith",
        "from . import demo",
        "INSTALLED_APPS = ['devtools']",
        "import_module('matching.ranking')",
    ],
)
def test_imports_of_other_modules_are_not_taken_for_the_development_app(source: str) -> None:
    assert imports_of_development_only_code(source) == []


def test_no_product_module_imports_the_development_app() -> None:
    offenders = [
        f"{path.relative_to(REPOSITORY)}:{line} imports {module}"
        for path in product_modules()
        for line, module in imports_of_development_only_code(path.read_text(encoding="utf-8"))
    ]

    assert offenders == [], "product modules must not import devtools:\n" + "\n".join(offenders)
