/**
 * `GET /openapi.json` describes the whole API the app serves: every route it mounts (save the few static files
 * listed below), who may call each as the app enforces it, and a document that is valid OpenAPI 3.1.
 */
import { driftReport } from '@glyco/prediction-log';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Access, declaredRoutes } from '../../src/auth/access.ts';
import { buildOpenApiDocument } from '../../src/openapi/document.ts';
import { DriftReportSchema } from '../../src/openapi/log-paths.ts';
import { WhatIfResultSchema } from '../../src/openapi/page-paths.ts';
import { schemasFor } from '../../src/validation/model-schemas.ts';
import { JSON_HEADERS, MANIFEST, testRuntime, VALID_ROW } from '../support/fixtures.ts';
import { IRIS, PROGRESSION, READMISSIONS } from '../support/task-models.ts';

/**
 * Routes that must not be documented: static files that a page of the app names in its own HTML (the web page's
 * script and styles, Swagger UI's bundle under its version), fetched by that page and never called by a client.
 */
const NOT_DOCUMENTED = [/^GET \/assets\/\{file\}$/, /^GET \/docs\/assets\/[\d.]+\/\{file\}$/];

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
type Operation = {
  security?: unknown;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

let runtime: Awaited<ReturnType<typeof testRuntime>>;
let document: { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };
beforeAll(async () => {
  runtime = await testRuntime();
  document = await (await runtime.app.request('/openapi.json')).json();
});
afterAll(() => runtime.models.close());

const documented = () =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => method in item).map((method) => `${method.toUpperCase()} ${path}`),
  );
const mounted = () =>
  declaredRoutes(runtime.app).filter(
    ({ method, path }) => !NOT_DOCUMENTED.some((pattern) => pattern.test(`${method} ${path}`)),
  );
const operation = (route: { method: string; path: string }) =>
  document.paths[route.path]![route.method.toLowerCase()]!;

/** A route's access as OpenAPI 3.1 says it: none for a public route, else an API key or a bearer token with the scopes (roles) it needs. */
function securityOf(access: Access) {
  if (access === 'public') return [];
  const scopes = access === 'authenticated' ? [] : [...access];
  return [{ apiKey: scopes }, { bearer: scopes }];
}

describe('the OpenAPI document', () => {
  it('documents every route the app mounts, and no route the app does not have', () => {
    const routes = mounted().map(({ method, path }) => `${method} ${path}`);
    expect(routes).toContain('POST /v1/feedback');
    expect(documented().sort()).toEqual(routes.sort());
  });

  it('says who may call each operation as the app enforces it: no credentials, or a key or token with the scopes', () => {
    for (const route of mounted()) {
      expect(operation(route).security, `${route.method} ${route.path}`).toEqual(securityOf(route.access));
    }
    expect(document.components.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });

  it('gives every operation its success response, and every operation that takes a body its request schema', () => {
    for (const route of mounted()) {
      const { requestBody, responses } = operation(route);
      const name = `${route.method} ${route.path}`;
      const success = Object.keys(responses).find((status) => status.startsWith('2'));
      expect(success, name).toBeDefined();
      if (route.method === 'POST') {
        expect(
          Object.values(requestBody?.content ?? {}).map((media) => media.schema),
          name,
        ).not.toContain(undefined);
        expect(Object.keys(requestBody?.content ?? {}).length, name).toBeGreaterThan(0);
      }
    }
  });

  it('documents feedback, drift and the outcomes export with their bodies, parameters and refusals', () => {
    const feedback = document.paths['/v1/feedback']!.post!;
    const { $ref } = feedback.requestBody!.content['application/json']!.schema as { $ref: string };
    const schemas = document.components.schemas as Record<string, unknown>;
    expect(schemas[$ref.replace('#/components/schemas/', '')]).toMatchObject({
      required: ['request_id', 'outcome'],
      properties: { index: { maximum: 2_147_483_647 } },
    });
    expect(Object.keys(feedback.responses)).toEqual(expect.arrayContaining(['200', '404', '422', '503']));
    const drift = document.paths['/v1/models/{name}/drift']!.get! as Operation & {
      parameters: { name: string }[];
    };
    expect(drift.parameters.map((parameter) => parameter.name)).toEqual(['name', 'since', 'until', 'limit']);
    expect(
      Object.keys(document.paths['/v1/models/{name}/outcomes']!.get!.responses['200']!.content!),
    ).toEqual(['application/x-ndjson']);
  });

  it('describes the drift report and the what-if answer field for field, as the app builds them', async () => {
    const report = driftReport({
      manifest: MANIFEST,
      since: undefined,
      until: undefined,
      inputs: [VALID_ROW],
      total: 1,
      outcomes: [],
    });
    expect(DriftReportSchema.parse(report)).toEqual(report);
    expect(Object.keys(report).sort()).toEqual(Object.keys(DriftReportSchema.shape).sort());
    const feature = DriftReportSchema.shape.features.element;
    expect(Object.keys(report.features[0]!).sort()).toEqual(Object.keys(feature.shape).sort());
    const answer = await runtime.app.request('/what-if', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(VALID_ROW),
    });
    const whatIf = await answer.json();
    expect(WhatIfResultSchema.parse(whatIf)).toMatchObject({ task: 'binary' });
    expect(Object.keys(whatIf).sort()).toEqual(Object.keys(WhatIfResultSchema.shape).sort());
  });

  it('is a valid OpenAPI 3.1 document, by a validator that refuses an invalid one', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const { info: _info, ...withoutInfo } = document as Record<string, unknown>;
    expect((await new Validator().validate(structuredClone(withoutInfo))).valid).toBe(false);
  });

  it.each([
    ['a multiclass model', IRIS],
    ['a regression model', PROGRESSION],
    ['a model on categorical features', READMISSIONS],
  ])('is valid OpenAPI 3.1 for %s too, its feedback outcome as the task takes it', async (_, manifest) => {
    const built = buildOpenApiDocument(manifest, schemasFor(manifest, 1000), '0.0.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(built));
    expect(result.errors ?? []).toEqual([]);
    const outcome = (built.components.schemas.FeedbackRequest as { properties: { outcome: object } })
      .properties.outcome;
    if (manifest.task === 'regression') {
      expect(outcome).toMatchObject({
        type: 'number',
        minimum: expect.any(Number),
        maximum: expect.any(Number),
        description: 'The observed progression.', // the bundled model states no unit
      });
    } else {
      const labels = manifest.target.classLabels.map((label) => JSON.stringify(label)).join(', ');
      expect(outcome).toMatchObject({
        type: ['string', 'number'],
        description: `The observed class: one of the labels ${labels}.`,
      });
    }
  });
});
