"""chart2fhir load: each document's transaction bundle POSTed to a FHIR server, with retries.

``load_bundles`` finds the bundles of OUTDIR as ``export`` does (``ndjson.bundle_files``:
bundle.json, or bundle.deid.json with ``deid``, of every document ingest finished), POSTs
each to the server's base URL as a transaction and returns one LoadResult per document:
``loaded``, ``failed`` (E801-E808) or ``skipped`` (E809: ingest left no bundle; E810: an
identity conflict waits for review). A failure
is recorded and the run carries on; OUTDIR/load.json is the report.

Documents go one at a time: two documents of one patient share a Patient made by a
conditional create, and two transactions at once could both find no match and make two.

Only transient failures are tried again: connection errors, timeouts, HTTP 408, 429, 502,
503 and 504. Trying a transaction again is safe because every entry is a conditional create
(fhir.py): one the server committed before its answer was lost makes nothing new the second
time. Of the server's answers only status codes are kept: an OperationOutcome can echo the
bundle's PHI, so no answer body is logged, printed or stored.
"""

from __future__ import annotations

import email.utils
import json
import random
import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx

from pipeline.errors import (
    BadTransactionResponse,
    BundleRejected,
    BundleUnreadable,
    EntryRejected,
    FhirServerFailed,
    FhirTimeout,
    FhirUnavailable,
    FhirUnreachable,
    IdentityHeld,
    NoBundle,
    PipelineError,
    SealedUnreadable,
)
from pipeline.identity import held
from pipeline.logs import fields, get_logger
from pipeline.ndjson import bundle_files
from pipeline.schema import Model
from pipeline.settings import FhirLoadSettings
from pipeline.vault import PLAIN, Vault, write_atomically

log = get_logger(__name__)
REPORT = "load.json"
RETRYABLE_STATUS = frozenset({408, 429, 502, 503, 504})
HEADERS = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}

LoadStatus = Literal["loaded", "failed", "skipped"]


# Here rather than in schema.py: it is chart2fhir load's report row, which no stage passes on.
class LoadResult(Model):
    """One row of load.json: what loading one document's bundle did."""

    doc_id: str
    status: LoadStatus
    http_status: int | None = None  # of the last answer; None when none came
    attempts: int = 0  # POSTs sent
    # Entries of the transaction-response by status code: "201" created, "200" already there.
    entries: dict[str, int] = {}
    error: str | None = None  # "E8xx: fixed text"
    seconds: float = 0.0


def load_bundles(
    out_dir: Path,
    *,
    url: str,
    cfg: FhirLoadSettings,
    deid: bool = False,
    include_conflicts: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    on_done: Callable[[LoadResult], None] | None = None,
    vault: Vault = PLAIN,
) -> list[LoadResult]:
    """POST every bundle of ``out_dir`` to ``url``; write load.json; one result per document.

    A doc_id listed twice in the manifest is loaded once. A document flagged with a
    patient identity conflict (E405/E406, pipeline/identity.py) is skipped (E810) unless
    ``include_conflicts``: once a reviewer has settled it.

    Raises:
        FileNotFoundError: ``out_dir`` has no manifest (nothing was ingested there).
        ValueError: ``url`` is not an http or https URL.

    """
    shown = safe_url(url)
    files = bundle_files(out_dir, deid=deid, vault=vault)
    results: list[LoadResult] = []
    seen: set[str] = set()
    log.info("load started", extra=fields(documents=len(files)))
    with _client(cfg) as client:
        for record, path in files:
            if record.doc_id in seen:
                continue
            seen.add(record.doc_id)
            if path is None:
                result = LoadResult(doc_id=record.doc_id, status="skipped", error=NoBundle().record)
            elif not include_conflicts and held(record):
                # Its Patient would match another person's by MRN: merged on the server.
                result = LoadResult(
                    doc_id=record.doc_id, status="skipped", error=IdentityHeld().record
                )
            else:
                result = post_bundle(
                    record.doc_id,
                    path,
                    client=client,
                    url=url,
                    cfg=cfg,
                    sleep=sleep,
                    rng=rng,
                    vault=vault,
                )
            log.info(
                "document load finished (count: attempts)",
                extra=fields(
                    doc_id=result.doc_id,
                    status=result.status,
                    code=(result.error or "")[:4] or None,
                    count=result.attempts,
                    seconds=result.seconds,
                ),
            )
            results.append(result)
            if on_done:
                on_done(result)
    report = {
        "fhir_url": shown,
        "bundle": "bundle.deid.json" if deid else "bundle.json",
        "totals": totals(results),
        "documents": [r.model_dump(mode="json") for r in results],
    }
    write_atomically(out_dir / REPORT, json.dumps(report, indent=2) + "\n")
    return results


def post_bundle(
    doc_id: str,
    path: Path,
    *,
    client: httpx.Client,
    url: str,
    cfg: FhirLoadSettings,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    vault: Vault = PLAIN,
) -> LoadResult:
    """POST the bundle at ``path`` (opened by ``vault``) to ``url``, retrying transients."""
    start = time.monotonic()
    rng = rng or random.Random()

    def result(**kwargs: Any) -> LoadResult:
        return LoadResult(doc_id=doc_id, seconds=round(time.monotonic() - start, 3), **kwargs)

    try:
        body = vault.read(path)
        sent = _request_count(body)
    except SealedUnreadable as e:
        return result(status="failed", error=e.record)
    except (OSError, BundleUnreadable):
        return result(status="failed", error=BundleUnreadable().record)
    attempt = 0
    while True:
        attempt += 1
        status: int | None = None
        wait: float | None = None
        entries: dict[str, int] = {}
        error: PipelineError | None
        try:
            response = client.post(url, content=body, headers=HEADERS, timeout=cfg.timeout_s)
        except httpx.TimeoutException:
            error = FhirTimeout()
        except httpx.TransportError:
            error = FhirUnreachable()
        except httpx.RequestError:  # an answer that could not be decoded
            error = BadTransactionResponse()
        else:
            status = response.status_code
            if response.is_success:
                entries, error = _read_answer(response, sent)
            elif status in RETRYABLE_STATUS:
                error = FhirUnavailable()
                wait = retry_after(response.headers.get("Retry-After"))
            elif 400 <= status < 500:
                error = BundleRejected()
            else:
                error = FhirServerFailed()
        if error is None:
            return result(status="loaded", http_status=status, attempts=attempt, entries=entries)
        if not error.retryable or attempt >= cfg.max_attempts:
            return result(
                status="failed",
                http_status=status,
                attempts=attempt,
                entries=entries,
                error=error.record,
            )
        log.warning(
            "load attempt failed, trying again (count: attempt)",
            extra=fields(doc_id=doc_id, code=error.code, count=attempt),
        )
        sleep(backoff(attempt, retry_after=wait, cfg=cfg, rng=rng))


def backoff(
    attempt: int, *, retry_after: float | None, cfg: FhirLoadSettings, rng: random.Random
) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1, 2, ...): jittered, capped."""
    wait = cfg.base_delay_s * 2 ** min(attempt - 1, 30) * (0.5 + rng.random() / 2)
    if retry_after is not None:
        wait = max(wait, retry_after)
    # A Retry-After of an hour would hold the whole run on one document: the cap wins.
    return min(wait, cfg.max_delay_s)


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delay-seconds or an HTTP-date); None if unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110: an HTTP-date is in GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def safe_url(url: str) -> str:
    """``url`` without user, password, query and fragment: what may be shown and stored.

    Raises:
        ValueError: ``url`` is not an http or https URL with a host.

    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as e:
        raise ValueError("not a URL") from e
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError("not an http or https URL")
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{parsed.path}"


def totals(results: list[LoadResult]) -> dict[str, int]:
    """Counts for the closing line of a load and load.json."""
    return {
        "documents": len(results),
        "loaded": sum(r.status == "loaded" for r in results),
        "failed": sum(r.status == "failed" for r in results),
        "skipped": sum(r.status == "skipped" for r in results),
        "created": sum(r.entries.get("201", 0) for r in results),
        "existing": sum(r.entries.get("200", 0) for r in results),
    }


def _client(cfg: FhirLoadSettings) -> httpx.Client:
    headers = {}
    if cfg.token is not None:
        headers["Authorization"] = f"Bearer {cfg.token.get_secret_value()}"
    verify: ssl.SSLContext | bool = True
    if cfg.ca_file is not None:
        verify = ssl.create_default_context(cafile=str(cfg.ca_file))
    # trust_env=False: settings.py is the only reader of the environment (proxies, netrc and
    # SSL_CERT_FILE would otherwise come from it unseen). A user and password in the URL are
    # sent as basic auth by httpx.
    return httpx.Client(headers=headers, timeout=cfg.timeout_s, verify=verify, trust_env=False)


def _request_count(body: bytes) -> int:
    """The number of entries of a bundle; BundleUnreadable if it is not JSON of a Bundle.

    The server judges the rest (a bundle that is not a transaction gets its 400): this only
    keeps what is not a bundle at all, a truncated file say, from being sent.
    """
    try:
        bundle = json.loads(body)
    except ValueError as e:
        raise BundleUnreadable() from e
    if (
        not isinstance(bundle, dict)
        or bundle.get("resourceType") != "Bundle"
        or not isinstance(bundle.get("entry", []), list)
    ):
        raise BundleUnreadable()
    return len(bundle.get("entry", []))


def _read_answer(
    response: httpx.Response, sent: int
) -> tuple[dict[str, int], PipelineError | None]:
    """Entry counts by status from a transaction-response, and the error it shows if any."""
    try:
        answer = response.json()
        entries = answer["entry"] if sent else answer.get("entry", [])
        codes = [str(e["response"]["status"]).split(" ", 1)[0] for e in entries]
        ok = answer["resourceType"] == "Bundle" and answer["type"] == "transaction-response"
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}, BadTransactionResponse()
    counts: dict[str, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    counts = dict(sorted(counts.items()))
    if not ok or len(codes) != sent:
        return counts, BadTransactionResponse()
    if any(not code.startswith("2") for code in codes):
        return counts, EntryRejected()
    return counts, None
