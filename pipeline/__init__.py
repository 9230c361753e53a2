"""chart2fhir: paper charts to FHIR R4 bundles, with PHI kept apart."""

import os

# presidio's URL recognizer uses tldextract, whose module-level extractor reads this variable
# once, when tldextract is first imported, and otherwise fetches the public suffix list from
# the internet (a stall offline). Set here, before any module of ours can import presidio;
# tldextract then uses the snapshot in its wheel.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
