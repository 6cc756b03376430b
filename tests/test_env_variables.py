"""Every variable the settings read is in .env.example and the README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

from config.env_variables import env_variables

ROOT = Path(__file__).resolve().parent.parent


def test_the_list_is_read_from_the_settings() -> None:
    names = {variable.name for variable in env_variables()}
    assert {"DEBUG", "REDIS_URL", "PRIVATE_FILES_S3_BUCKET", "ALLOW_FILE_EMAIL"} <= names
    assert len(names) > 50


def test_env_example_names_every_variable() -> None:
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))
    missing = [v.name for v in env_variables() if v.name not in listed]
    assert missing == []


def test_readme_configuration_names_every_variable_and_no_other() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Running on PostgreSQL")]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", table))
    names = {v.name for v in env_variables()}
    assert sorted(names - documented) == []
    # Beside the variables, the table names LOG_LEVEL's values; nothing else unknown.
    levels = {"CRITICAL", "ERROR", "WARNING", "INFO"}
    assert sorted(documented - names - levels) == []
