"""Back up and restore the documents on private storage, to go with a database dump.

Evidence documents and photos live on private storage (a folder or an S3-compatible
bucket), not in the database: a dump names them, and these copy them. A backup is a folder
holding each file the database names, under its stored name, and `manifest.json` with each
file's SHA-256. A restore writes every file back under the same name into the storage the
settings configure, so a restored dump finds its documents wherever they now live.

Invariants: a backup names exactly the files the database refers to at the time it runs
(take the database dump first: a file named in the dump was written before its row
committed); a restore never overwrites a different file, and checks each file's hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models

from profiles.models import private_storage

MANIFEST_NAME = "manifest.json"


class DocumentsBackupError(Exception):
    """A file is missing, damaged or would overwrite another; the message names it."""


@dataclass(frozen=True)
class DocumentsBackupResult:
    files: int
    bytes: int


def _referenced_names() -> list[str]:
    """Every file name the database refers to on private storage, sorted, once each."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and _on_private_storage(field):
                names.update(
                    model._default_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator()
                )
    names.discard(None)  # type: ignore[arg-type]
    return sorted(names)


def _on_private_storage(field: models.FileField) -> bool:
    # The field keeps the callable it was given, so a test's own STORAGES still counts.
    return getattr(field, "_storage_callable", None) is private_storage


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise DocumentsBackupError(f"Refusing an unsafe stored name: {name!r}.")
    return path


def documents_backup(*, folder: Path) -> DocumentsBackupResult:
    """Copy every file the database names from private storage into an empty folder."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise DocumentsBackupError(f"{folder} is not empty: back up into a new folder.")
    storage = private_storage()
    manifest: dict[str, str] = {}
    total = 0
    for name in _referenced_names():
        target = folder / _safe_relative(name)
        try:
            with storage.open(name, "rb") as stored:
                content = stored.read()
        except (FileNotFoundError, OSError) as error:
            raise DocumentsBackupError(
                f"The database names {name!r}, which the storage does not have."
            ) from error
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        manifest[name] = hashlib.sha256(content).hexdigest()
        total += len(content)
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return DocumentsBackupResult(files=len(manifest), bytes=total)


def documents_restore(*, folder: Path) -> DocumentsBackupResult:
    """Write every file of a backup folder into private storage under its stored name."""
    try:
        manifest: dict[str, str] = json.loads((folder / MANIFEST_NAME).read_text())
    except FileNotFoundError:
        raise DocumentsBackupError(f"{folder} has no {MANIFEST_NAME}: not a backup.") from None
    storage = private_storage()
    total = 0
    for name, sha256 in sorted(manifest.items()):
        content = (folder / _safe_relative(name)).read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise DocumentsBackupError(f"{name!r} in the backup does not match its hash.")
        if storage.exists(name):
            with storage.open(name, "rb") as stored:
                if hashlib.sha256(stored.read()).hexdigest() != sha256:
                    raise DocumentsBackupError(
                        f"The storage already holds a different {name!r}; nothing overwritten."
                    )
            continue
        saved = storage.save(name, ContentFile(content))
        if saved != name:
            raise DocumentsBackupError(f"{name!r} was stored as {saved!r}.")
        total += len(content)
    return DocumentsBackupResult(files=len(manifest), bytes=total)
