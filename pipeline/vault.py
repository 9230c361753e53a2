"""Encryption at rest of the identified artifacts we store (AES-256-GCM).

With ``vault.key`` set, every identified file chart2fhir writes (bundle.json, text.txt,
ocr.json, searchable.pdf, hocr/, extraction.json, the manifest, review history and cache,
page images in worker storage) and the state database's identified columns are sealed: a
header naming the key, a fresh 96-bit nonce, the AES-GCM ciphertext and its tag. Without
the key a sealed file is noise; a changed byte fails the tag. De-identified outputs
(deid.txt, bundle.deid.json, redacted.pdf, ...) stay plain: they are for handing out.

Keys are 32 random bytes, written as url-safe base64 (``chart2fhir keys new``). Rotation:
make a new key, move the old one to ``vault.old_keys`` and run ``chart2fhir keys rotate
OUTDIR``, which reseals everything under the new key; then drop the old one. Reads take any
key of the ring (the header says which); writes always use ``vault.key``.

Without a key, files are written plain (as before) and a sealed file cannot be read (E702).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pipeline.errors import SealedUnreadable
from pipeline.layout import identified

if TYPE_CHECKING:
    from pipeline.settings import VaultSettings

MAGIC = b"C2FSEAL1"  # 8 bytes: a sealed file starts with this
_KEY_ID = 8  # bytes of SHA-256(key) naming the key in the header
_NONCE = 12
_HEADER = len(MAGIC) + _KEY_ID + _NONCE
TEXT_PREFIX = "sealed:v1:"  # a sealed database value: this, then base64 of the sealed bytes


def new_key() -> str:
    """A fresh key, as ``vault.key`` takes it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def decode_key(text: str) -> bytes:
    """The 32 bytes of a key written as base64; ValueError when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError) as e:
        raise ValueError("a vault key is 32 bytes in url-safe base64 (chart2fhir keys new)") from e
    if len(raw) != 32:
        raise ValueError("a vault key is 32 bytes in url-safe base64 (chart2fhir keys new)")
    return raw


def key_id(key: bytes) -> str:
    """The hex id of ``key`` that sealed files carry (not secret: a hash prefix)."""
    return hashlib.sha256(key).digest()[:_KEY_ID].hex()


def is_sealed(data: bytes) -> bool:
    """Whether ``data`` is a sealed blob (by its header)."""
    return data.startswith(MAGIC)


class Vault:
    """Seals and opens bytes, files and database values under a ring of keys."""

    def __init__(self, key: bytes | None = None, old_keys: tuple[bytes, ...] = ()) -> None:
        self._current = key
        self._ring = {bytes.fromhex(key_id(k)): AESGCM(k) for k in (*old_keys, key) if k}

    @staticmethod
    def from_settings(cfg: VaultSettings) -> Vault:
        """The vault of ``cfg``: sealing when ``cfg.key`` is set, plain otherwise.

        Built once per settings in a process (settings are frozen): stages, page workers
        and routes ask for it per call.
        """
        return _vault_of(cfg)

    @property
    def sealing(self) -> bool:
        """Whether writes are sealed (a key is set)."""
        return self._current is not None

    @property
    def current_id(self) -> str | None:
        """The id of the key writes use, or None."""
        return key_id(self._current) if self._current else None

    # --- bytes -----------------------------------------------------------------------

    def seal(self, data: bytes) -> bytes:
        """``data`` sealed under the current key (unchanged when there is none)."""
        if self._current is None:
            return data
        kid = bytes.fromhex(key_id(self._current))
        nonce = secrets.token_bytes(_NONCE)
        header = MAGIC + kid + nonce
        return header + self._ring[kid].encrypt(nonce, data, header)

    def open(self, data: bytes) -> bytes:
        """The plain bytes of ``data``: opened when sealed, as they are when not.

        Raises:
            SealedUnreadable: sealed under a key not in the ring, or altered (E702).

        """
        if not is_sealed(data):
            return data
        kid, nonce = data[len(MAGIC) : len(MAGIC) + _KEY_ID], data[len(MAGIC) + _KEY_ID : _HEADER]
        aead = self._ring.get(kid)
        if aead is None or len(data) < _HEADER + 16:
            raise SealedUnreadable()
        try:
            return aead.decrypt(nonce, data[_HEADER:], data[:_HEADER])
        except InvalidTag as e:
            raise SealedUnreadable() from e

    def sealed_by(self, data: bytes) -> str | None:
        """The key id ``data`` is sealed under, or None when it is plain."""
        return data[len(MAGIC) : len(MAGIC) + _KEY_ID].hex() if is_sealed(data) else None

    # --- database values ---------------------------------------------------------------

    def seal_text(self, value: str) -> str:
        """A database value sealed (``TEXT_PREFIX`` + base64), or as it is without a key."""
        if self._current is None:
            return value
        return TEXT_PREFIX + base64.b64encode(self.seal(value.encode("utf-8"))).decode()

    def open_text(self, value: str) -> str:
        """The plain text of a database value written by ``seal_text``."""
        if not value.startswith(TEXT_PREFIX):
            return value
        try:
            blob = base64.b64decode(value[len(TEXT_PREFIX) :], validate=True)
        except (binascii.Error, ValueError) as e:
            raise SealedUnreadable() from e
        return self.open(blob).decode("utf-8")

    # --- files -----------------------------------------------------------------------

    def write(self, path: Path, data: str | bytes) -> None:
        """Write ``data`` (UTF-8 text or bytes) sealed to ``path``: atomically, mode 0600."""
        write_atomically(path, self.seal(data.encode("utf-8") if isinstance(data, str) else data))

    def read(self, path: Path) -> bytes:
        """The plain bytes of the file at ``path`` (sealed or not)."""
        return self.open(path.read_bytes())

    def read_text(self, path: Path) -> str:
        """The plain text of the file at ``path`` (sealed or not)."""
        return self.read(path).decode("utf-8")

    @contextlib.contextmanager
    def plain_file(self, path: Path) -> Iterator[Path]:
        """A path to read ``path`` through in tools that take a file (poppler).

        The file itself when it is plain; else its plain bytes in a private temporary file
        (0600, in a 0700 folder beside it), removed on exit.
        """
        data = path.read_bytes()
        if not is_sealed(data):
            yield path
            return
        folder = Path(tempfile.mkdtemp(prefix=".open-", dir=path.parent))
        try:
            plain = folder / path.name
            write_atomically(plain, self.open(data))
            yield plain
        finally:
            for f in folder.iterdir():
                f.unlink(missing_ok=True)
            folder.rmdir()


PLAIN = Vault()  # no key: writes plain, cannot open sealed files


@functools.cache
def _vault_of(cfg: VaultSettings) -> Vault:
    return Vault(
        decode_key(cfg.key.get_secret_value()) if cfg.key else None,
        tuple(decode_key(k.get_secret_value()) for k in cfg.old_keys),
    )


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write ``data`` (UTF-8 text or bytes) beside ``path`` under a hidden name, then rename.

    The file is the owner's only (0600). A reader sees the old file or the new one, never
    half of one; a failed write leaves no temporary file behind.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def reseal_files(out_dir: Path, vault: Vault, *, seal_plain: bool = True) -> dict[str, int]:
    """Seal every identified file of ``out_dir`` under ``vault``'s current key.

    A file sealed under an older key of the ring is opened and sealed again ("resealed");
    one already under the current key is left ("current"); an identified file written
    before a key was set is sealed ("sealed") when ``seal_plain``, else counted ("plain").
    Each file is replaced atomically. Raises SealedUnreadable for a file under a key not in
    the ring (nothing after it is touched: run again with that key in ``old_keys``).
    """
    if not vault.sealing:
        raise ValueError("set vault.key to the key to seal under")
    counts = {"resealed": 0, "sealed": 0, "current": 0, "plain": 0}
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        if path.name.startswith("."):
            continue  # a temporary file of a write in progress
        with path.open("rb") as f:
            by = vault.sealed_by(f.read(len(MAGIC) + _KEY_ID))
        if by == vault.current_id:
            counts["current"] += 1
        elif by is not None:
            vault.write(path, vault.read(path))
            counts["resealed"] += 1
        elif identified(path.relative_to(out_dir)):
            if seal_plain:
                vault.write(path, path.read_bytes())
                counts["sealed"] += 1
            else:
                counts["plain"] += 1
        # else plain and de-identified (or no PHI): left unread, as it is
    return counts
