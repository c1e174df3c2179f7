// The fuzz plan: deterministic per seed, the hostile cases on every route, real ids, a share without the key.
import { describe, expect, test } from 'vitest';
import { type OpenApiDocument, operationsOf } from './openapi.ts';
import { planRequests } from './plan.ts';

const doc: OpenApiDocument = {
  paths: {
    '/v1/cases/{id}': {
      get: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      },
      patch: {},
    },
    '/v1/responses': {
      get: {
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
          { name: 'surveyId', in: 'query', required: true, schema: { $ref: '#/components/schemas/Id' } },
        ],
      },
    },
    '/v1/locations': {
      post: {
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { name: { type: 'string', maxLength: 200 }, properties: { type: 'object' } },
                required: ['name'],
              },
            },
          },
        },
      },
    },
  },
  components: { schemas: { Id: { type: 'string', format: 'uuid' } } },
};
const ops = operationsOf(doc);
const ids = { cases: ['11111111-1111-4111-8111-111111111111'] };
const plan = (seed: number, total = 300) => planRequests(ops, { seed, total, ids, apiKey: 'sf_live_k' });
const kinds = (route: string, seed = 1) =>
  plan(seed)
    .filter((r) => r.route === route)
    .map((r) => r.kind);

describe('the fuzz plan', () => {
  test('reads operations, path and query parameters (refs resolved) and bodies from the document', () => {
    expect(ops.map((o) => o.route)).toEqual([
      'GET /v1/cases/{id}',
      'PATCH /v1/cases/{id}',
      'GET /v1/responses',
      'POST /v1/locations',
    ]);
    expect(ops[1]?.pathParams.map((p) => p.name)).toEqual(['id']);
    expect(ops[2]?.query.find((q) => q.name === 'surveyId')?.schema).toEqual({
      type: 'string',
      format: 'uuid',
    });
    expect(ops[3]?.body?.contentType).toBe('application/json');
  });

  test('the same seed sends the same requests; another seed others', () => {
    const sig = (seed: number) =>
      plan(seed).map((r) => `${r.kind} ${r.path} ${r.body?.toString('base64') ?? ''}`);
    expect(sig(7)).toEqual(sig(7));
    expect(sig(8)).not.toEqual(sig(7));
  });

  test('sends the total asked for, the hostile cases first in count', () => {
    expect(plan(1, 300)).toHaveLength(300);
    const hostile = plan(1, 0);
    expect(hostile.length).toBeGreaterThan(40);
    expect(hostile.every((r) => r.kind.startsWith('hostile:'))).toBe(true);
  });

  test('every route gets the hostile cases, whether it has a schema or not', () => {
    for (const op of ops) {
      const k = kinds(op.route);
      for (const kind of ['date:0000', 'date:99999', 'header-7kB', 'query:all:%00'])
        expect(k).toContain(`hostile:${kind}`);
      for (const p of op.pathParams) {
        expect(k).toContain(`hostile:path:${p.name}:%00`);
        expect(k).toContain(`hostile:path:${p.name}:10000-chars`);
      }
      if (op.method === 'GET') continue;
      for (const kind of [
        'body:{}',
        'body:[]',
        'body:null',
        'body:empty-json',
        'type:text/plain',
        'type:application/xml',
        'type:multipart',
        'type:form:%00',
        'nul:keys',
        'deep:properties-5000',
      ]) {
        expect(k).toContain(`hostile:${kind}`);
      }
    }
  });

  test('NUL goes in path parameters, query values, form fields, JSON strings and keys', () => {
    const all = plan(1);
    expect(all.some((r) => r.path === '/v1/cases/%00')).toBe(true);
    expect(all.some((r) => r.path.includes('surveyId=a%00b'))).toBe(true);
    expect(
      all.some(
        (r) => r.headers['content-type']?.startsWith('application/x-www-form') && r.body?.includes('%00'),
      ),
    ).toBe(true);
    const formName = all.find((r) => r.route === 'POST /v1/locations' && r.kind === 'hostile:form:name:%00');
    expect(formName?.body?.toString()).toContain('name=a%00b');
    const nulName = all.find((r) => r.kind === 'hostile:nul:name');
    expect(JSON.parse(nulName?.body?.toString() ?? '{}').name).toBe('a\u0000b');
    const keys = all.find((r) => r.route === 'POST /v1/locations' && r.kind === 'hostile:nul:keys');
    expect(Object.keys(JSON.parse(keys?.body?.toString() ?? '{}'))).toContain('\u0000');
  });

  test('real ids where the path names a known resource; generated bodies follow the schema', () => {
    const gets = plan(1).filter((r) => r.route === 'GET /v1/cases/{id}' && r.kind === 'random:valid');
    expect(gets.some((r) => r.path === `/v1/cases/${ids.cases[0]}`)).toBe(true);
    const posts = plan(1).filter((r) => r.route === 'POST /v1/locations' && r.kind === 'random:valid');
    expect(posts.length).toBeGreaterThan(0);
    for (const r of posts) expect(typeof JSON.parse(r.body?.toString() ?? '{}').name).toBe('string');
  });

  test('a share goes without the API key (or with a wrong one)', () => {
    const noAuth = plan(1, 2000).filter((r) => r.kind.startsWith('random:no-auth'));
    expect(noAuth.length).toBeGreaterThan(50);
    expect(noAuth.some((r) => !('authorization' in r.headers))).toBe(true);
  });
});
