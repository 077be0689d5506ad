"""Where an uploaded beneficiary file waits between the import's preview and its confirmation.

django-import-export's default (`TempFolderStorage`) opens whatever name the confirmation form
sends back under the system's temporary folder, and removes it afterwards: a forged name is a
500 (FileNotFoundError), and a name such as another file of that folder is read as an import,
then deleted. Here the files have a folder of their own under MEDIA_ROOT (served by no URL, as
`interop.exports`' files), names this storage drew (32 hex digits), and the name must be one the
same session previewed (`remember`, `previewed`); any other is `UnknownImportFile`, which the
admin answers with a message.

The files hold personal data: one that is refused at the preview is removed at once, one that is
imported afterwards, and any left (a preview never confirmed) when KEEP_SECONDS have passed.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import TempFolderStorage

#: The folder, under MEDIA_ROOT.
FOLDER = "imports/beneficiaries"
#: The names this storage draws.
NAME = re.compile(r"[0-9a-f]{32}")
#: How long an uploaded file waits for its confirmation.
KEEP_SECONDS = 24 * 60 * 60
#: The session key listing the files this session previewed, and how many it keeps.
SESSION_KEY = "beneficiary_import_files"
SESSION_FILES = 10


class UnknownImportFile(FileNotFoundError):
    """A name that is not one of this storage's files, or a file already gone."""


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


class ImportFileStorage(TempFolderStorage):
    """`TempFolderStorage` in its own folder, with names it drew itself (see the module)."""

    def save(self, data) -> None:
        here = folder()
        here.mkdir(mode=0o700, parents=True, exist_ok=True)
        _remove_stale(here)
        self.name = secrets.token_hex(16)
        data = data.encode(self.encoding or "utf-8") if isinstance(data, str) else data
        # Only this process's user may read it; O_EXCL: never an existing file.
        descriptor = os.open(self.get_full_path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)

    def read(self):
        try:
            return super().read()
        except FileNotFoundError as error:
            raise UnknownImportFile(self.name) from error

    def remove(self) -> None:
        Path(self.get_full_path()).unlink(missing_ok=True)

    def get_full_path(self) -> str:
        if not NAME.fullmatch(self.name or ""):
            raise UnknownImportFile(self.name)
        return str(folder() / self.name)


def _remove_stale(here: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in here.iterdir():
        try:
            if NAME.fullmatch(path.name) and path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # removed meanwhile by another request
            pass


def remember(request, name: str) -> None:
    """The session previewed this file: its confirmation may import it."""
    names = [n for n in request.session.get(SESSION_KEY, []) if n != name]
    request.session[SESSION_KEY] = [*names, name][-SESSION_FILES:]


def previewed(request, name: str) -> bool:
    return name in request.session.get(SESSION_KEY, [])


def forget(request, name: str) -> None:
    names = request.session.get(SESSION_KEY, [])
    if name in names:
        request.session[SESSION_KEY] = [n for n in names if n != name]
