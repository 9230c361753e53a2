"""Bad inputs, one of each kind the pipeline must refuse with a code (tests and benchmark).

``make_bad_inputs(dir, good_pdf)`` writes the files and returns {file name: expected code}.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

# file name -> the error code chart2fhir must record for it
EXPECTED = {
    "empty.pdf": "E101",
    "unsupported.docx": "E102",
    "text-named.png": "E102",
    "truncated.pdf": "E103",
    "encrypted.pdf": "E104",
    "bomb.png": "E107",
}


def make_bad_inputs(folder: Path, good_pdf: Path) -> dict[str, str]:
    """Write one file of each bad kind into ``folder``; ``good_pdf`` seeds the PDF ones."""
    import pikepdf

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.pdf").write_bytes(b"")
    # A .docx is a zip: a real, common, unsupported type.
    (folder / "unsupported.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    (folder / "text-named.png").write_text("Patient: NOT AN IMAGE\nThis is a text file.\n")
    data = good_pdf.read_bytes()
    # Cut before the page content and the cross-reference table: nothing is recoverable.
    (folder / "truncated.pdf").write_bytes(data[: min(len(data) // 3, 400)])
    with pikepdf.open(good_pdf) as pdf:
        pdf.save(
            folder / "encrypted.pdf",
            encryption=pikepdf.Encryption(owner="owner-secret", user="user-secret"),
            static_id=True,
        )
    # 20000 x 20000 = 400 Mpx of white: a few kB as a 1-bit PNG, 400 MB once decoded.
    Image.new("1", (20000, 20000), 1).save(folder / "bomb.png", optimize=True)
    return dict(EXPECTED)
