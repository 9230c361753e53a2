"""Where each output lives in OUTDIR, and which outputs are identified.

```
OUTDIR/manifest.json                    identified (input paths), sealed
OUTDIR/<doc_id>/                        IDENTIFIED, for the records system; sealed
    bundle.json text.txt ocr.json searchable.pdf extraction.json hocr/ history/
    redaction.json                      the boxes painted (no PHI: review's working data)
OUTDIR/deidentified/                    DE-IDENTIFIED, for analysts: never sealed
    DEIDENTIFIED.txt                    what the folder is, and what it is not
    <doc_id>/deid.txt deid.json bundle.deid.json redacted.pdf safe_harbor.json history/
```

The two trees are apart so that each gets its own protection: the identified one sealed
(pipeline/vault.py) and kept to the migration team, the de-identified one handed out whole.
"""

from __future__ import annotations

from pathlib import Path

DEID_DIR = "deidentified"
DEID_NOTICE = "DEIDENTIFIED.txt"
HISTORY = "history"

# Relative to OUTDIR. Everything else is de-identified (the DEID_DIR tree) or holds no PHI
# (identity.json and load.json: ids and codes; redaction.json: boxes; the acceptance report).
IDENTIFIED_NAMES = frozenset(
    {
        "manifest.json",
        "deid.key",
        "text.txt",
        "bundle.json",
        "searchable.pdf",
        "ocr.json",
        "extraction.json",
    }
)
IDENTIFIED_FOLDERS = frozenset({"hocr", ".review-cache", ".queue-storage"})


# A document's de-identified outputs, in its DEID_DIR folder.
DEID_NAMES = frozenset(
    {"deid.txt", "deid.json", "bundle.deid.json", "redacted.pdf", "safe_harbor.json"}
)


def deid_folder(out_dir: Path, doc_id: str) -> Path:
    """The folder of a document's de-identified outputs."""
    return out_dir / DEID_DIR / doc_id


def output(out_dir: Path, doc_id: str, name: str) -> Path:
    """Where the document's output ``name`` ("bundle.json", "redacted.pdf", ...) is."""
    return (deid_folder(out_dir, doc_id) if name in DEID_NAMES else out_dir / doc_id) / name


def identified(relative: Path) -> bool:
    """Whether the file at ``relative`` (to OUTDIR) is identified: one we seal."""
    parts = relative.parts
    if not parts or parts[0] == DEID_DIR:
        return False
    if any(p in IDENTIFIED_FOLDERS for p in parts[:-1]):
        return True
    name = parts[-1]
    if HISTORY in parts[:-1]:
        return name.startswith("bundle.v")
    return name in IDENTIFIED_NAMES
