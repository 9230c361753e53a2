"""models/deid/: the manifest matches the files, and the lists the recognizers read exist."""

from __future__ import annotations

import hashlib
import json

from pipeline.deid.assets import load_assets
from pipeline.settings import MODELS_DIR, configure_process

configure_process()

ROOT = MODELS_DIR / "deid"


def test_manifest_lists_every_file_with_its_hash() -> None:
    manifest = json.loads((ROOT / "MANIFEST.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.name for p in ROOT.iterdir() if p.is_file() and p.name != "MANIFEST.json"}
    assert set(listed) == on_disk
    for name, entry in listed.items():
        assert entry["source"]
        digest = hashlib.sha256((ROOT / name).read_bytes()).hexdigest()
        assert entry["sha256"] == digest, f"{name}: run models/deid/generate_word_lists.py"


def test_word_lists_load() -> None:
    assets = load_assets(MODELS_DIR)
    words = assets.words
    assert {"margaret", "james"} <= words.first_names
    assert {"harrison", "brown"} <= words.last_names
    assert {"sodium", "metformin", "daily", "bid"} <= words.clinical
    assert words.is_common("Glucose") and not words.is_common("Harrison")
    assert "street" in assets.street_suffixes
    for key in ("patient_name_labels", "mrn_labels", "id_labels", "phone_labels", "us_states"):
        assert assets.labels[key]
