// What the fuzzer sends: for every operation the fixed hostile cases, then seeded valid-ish inputs and mutations of them.
import fc from 'fast-check';
import { arbitraryOf } from './arbitrary.ts';
import { type Example, examples, type KnownIds } from './examples.ts';
import {
  deepArray,
  deepObject,
  deleteAt,
  getAt,
  hugeArray,
  leafPaths,
  type Path,
  RawJson,
  setAt,
  toJson,
} from './json.ts';
import type { JsonSchema, Operation } from './openapi.ts';

export type FuzzRequest = {
  /** The operation, as the document names it: "GET /v1/cases/{id}". */
  route: string;
  method: string;
  /** Path and query, percent-encoded as sent. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Which case this is, e.g. "hostile:nul:contact.email" or "mutation:wrong-type". */
  kind: string;
};

export type PlanOptions = {
  seed: number;
  /** How many requests in all; the hostile cases are always all sent, the rest is random. */
  total: number;
  ids: KnownIds;
  apiKey: string;
};

/** Query names tried on every route whether the document lists them or not. */
export const COMMON_QUERY = [
  'from',
  'to',
  'limit',
  'cursor',
  'status',
  'owner',
  'overdue',
  'surveyId',
  'groupBy',
  'period',
  'ids',
  'size',
  'score',
];
/** Form fields tried on every route that takes a body (survey answers, Twilio and mail callbacks). */
export const FORM_FIELDS = [
  'score',
  'comment',
  'skip',
  'auto',
  'From',
  'Body',
  'MessageSid',
  'MessageStatus',
  'subject',
  'from',
  'body',
  'id',
  'name',
];
const NOT_UUIDS = [
  'not-a-uuid',
  '1',
  '..',
  '%2e%2e%2f',
  "'%3B%20drop%20table%20x%3B--",
  '%F0%9F%92%A9',
  '-1',
];
const DATES = {
  '0000': '0000-01-01T00:00:00Z',
  '99999': '99999-12-31T23:59:59Z',
  '+099999': '+099999-01-01T00:00:00Z',
};
const ODD_QUERY_VALUES = [
  '',
  'abc',
  '-1',
  '0',
  '-0',
  '1e309',
  '99999999999999999999',
  'true',
  '[]',
  '%00',
  '%C3%28',
  '%FF',
];
const NUL = '\u0000';

type Input = {
  /** Percent-encoded path segments by parameter name. */
  params: Record<string, string>;
  /** [name, percent-encoded value]. */
  query: [string, string][];
  /** The JSON (or form) body, undefined for none. */
  body: unknown;
};

type Body = { type?: string; bytes: Buffer } | null;

/** The requests of one run: deterministic for a seed, the document and the ids. */
export function planRequests(ops: Operation[], opts: PlanOptions): FuzzRequest[] {
  const rng = mulberry32(opts.seed);
  const known = examples(opts.ids);
  const planner = new Planner(opts, known, rng);
  const hostile = ops.flatMap((op) => planner.hostile(op));
  const random: FuzzRequest[] = [];
  const callable = ops.filter((op) => op.route !== 'GET /openapi.json');
  for (let i = 0; hostile.length + random.length < opts.total && callable.length > 0; i++) {
    random.push(planner.random(callable[i % callable.length] as Operation));
  }
  return shuffle([...hostile, ...random], rng);
}

class Planner {
  constructor(
    private readonly opts: PlanOptions,
    private readonly known: Record<string, Example>,
    private readonly rng: () => number,
  ) {}

  /** The cases every route gets, schema or not. */
  hostile(op: Operation): FuzzRequest[] {
    const base = this.baseInput(op);
    const out: FuzzRequest[] = [];
    const send = (
      kind: string,
      input: Input,
      extra: { body?: Body; headers?: Record<string, string> } = {},
    ) => out.push(this.build(op, input, `hostile:${kind}`, extra));

    send('baseline', base);
    send('header-7kB', base, { headers: { 'x-fuzz-padding': 'a'.repeat(7 * 1024) } });
    for (const [label, date] of Object.entries(DATES)) {
      const query = withQuery(base.query, [
        ['from', encodeURIComponent(date)],
        ['to', encodeURIComponent(date)],
      ]);
      const body = hasBody(op) ? withDates(base.body, date) : base.body;
      send(`date:${label}`, { ...base, query, body });
    }
    for (const p of op.pathParams) {
      send(`path:${p.name}:%00`, { ...base, params: { ...base.params, [p.name]: '%00' } });
      const odd = NOT_UUIDS[out.length % NOT_UUIDS.length] as string;
      send(`path:${p.name}:${odd}`, { ...base, params: { ...base.params, [p.name]: odd } });
      send(`path:${p.name}:10000-chars`, {
        ...base,
        params: { ...base.params, [p.name]: 'a'.repeat(10_000) },
      });
    }
    const queryNames = [...new Set([...op.query.map((q) => q.name), ...base.query.map(([k]) => k)])];
    for (const name of queryNames) {
      send(`query:${name}:%00`, { ...base, query: withQuery(base.query, [[name, `a%00b`]]) });
    }
    send('query:all:%00', {
      ...base,
      query: withQuery(
        base.query,
        COMMON_QUERY.map((n) => [n, '%00']),
      ),
    });

    if (!hasBody(op)) return out;
    const json = (type: string, text: string): Body => ({ type, bytes: Buffer.from(text) });
    send('body:{}', base, { body: json('application/json', '{}') });
    send('body:[]', base, { body: json('application/json', '[]') });
    send('body:null', base, { body: json('application/json', 'null') });
    send('body:empty-json', base, { body: json('application/json', '') });
    send('type:text/plain', base, { body: json('text/plain', toJson(base.body ?? {})) });
    send('type:application/xml', base, {
      body: json('application/xml', '<?xml version="1.0"?><event><id>1</id><type>a</type></event>'),
    });
    send('type:multipart', base, { body: multipart(formFieldsOf(base.body, 'x')) });
    // %00 in each of the body's own fields (the others valid), then in every form field we know at once.
    const own = Object.fromEntries(
      Object.entries(formFieldsOf(base.body, '')).map(([k, v]) => [k, encodeURIComponent(v)]),
    );
    for (const name of Object.keys(own).slice(0, 8)) {
      send(`form:${name}:%00`, base, { body: formBody({ ...own, [name]: 'a%00b' }, true) });
    }
    const allNul = Object.fromEntries(Object.keys(formFieldsOf(base.body, 'x')).map((k) => [k, 'a%00b']));
    send('type:form:%00', base, { body: formBody(allNul, true) });
    if (op.body?.contentType !== 'application/x-www-form-urlencoded') {
      send('type:form', base, { body: formBody(formFieldsOf(base.body, '1'), false) });
    }
    const strings = leafPaths(base.body ?? {}).filter((p) => typeof getAt(base.body, p) === 'string');
    for (const path of strings.slice(0, 8)) {
      send(`nul:${pathName(path)}`, { ...base, body: setAt(base.body, path, `a${NUL}b`) });
    }
    send('nul:keys', {
      ...base,
      body: {
        ...asObject(base.body),
        [NUL]: 'x',
        properties: { ...propertiesOf(base.body), [`k${NUL}`]: NUL },
      },
    });
    send('deep:properties-5000', { ...base, body: { ...asObject(base.body), properties: deepObject(5000) } });
    return out;
  }

  /** One seeded request: a fresh valid-ish input, or a mutation of one; a tenth go without the API key. */
  random(op: Operation): FuzzRequest {
    const input = this.generatedInput(op);
    const roll = this.rng();
    const extra: { body?: Body; headers?: Record<string, string> } = {};
    let kind = 'valid';
    if (roll < 0.1) {
      const auth = this.pick([
        '',
        'Bearer sf_live_wrong',
        'Basic Zm9vOmJhcg==',
        `Bearer ${'k'.repeat(7000)}`,
      ]);
      extra.headers = { authorization: auth };
      kind = `no-auth:${auth.split(' ')[0] || 'none'}`;
    } else if (roll > 0.4) {
      kind = this.mutate(op, input, extra);
    }
    return this.build(op, input, `random:${kind}`, extra);
  }

  private mutate(op: Operation, input: Input, extra: { body?: Body }): string {
    const targets = hasBody(op) ? ['body', 'body', 'body', 'query', 'path'] : ['query', 'path'];
    const target = this.pick(op.pathParams.length ? targets : targets.filter((t) => t !== 'path'));
    if (target === 'path') {
      const p = this.pick(op.pathParams);
      const value = this.pick([...NOT_UUIDS, '%00', '%C3%28', '%FF', 'a'.repeat(600), uuidOf(this.seed())]);
      input.params[p.name] = value;
      return `path:${p.name}`;
    }
    if (target === 'query') {
      const names = [
        ...new Set([...op.query.map((q) => q.name), ...input.query.map(([k]) => k), ...COMMON_QUERY]),
      ];
      const name = this.pick(names);
      input.query = withQuery(input.query, [[name, this.pick([...ODD_QUERY_VALUES, 'x'.repeat(5000)])]]);
      return `query:${name}`;
    }
    const schema = op.body?.schema;
    const body = input.body ?? {};
    const leaves = leafPaths(body);
    const leaf = this.pick(leaves.length ? leaves : [['fuzz']]);
    const at = (value: unknown) => {
      input.body = setAt(body, leaf, value);
    };
    const kind = this.pick([
      'wrong-type',
      'missing-required',
      'out-of-range',
      '1e309',
      '-0',
      'huge-string',
      'over-limit',
      'deep-nesting',
      'huge-array',
      '__proto__',
      'constructor',
      'bom',
      'invalid-utf8',
      'nul',
    ]);
    switch (kind) {
      case 'wrong-type': {
        const current = getAt(body, leaf);
        at(this.pick([123, 'text', true, null, [], { a: 1 }].filter((v) => typeof v !== typeof current)));
        break;
      }
      case 'missing-required': {
        const required = schema?.required ?? Object.keys(asObject(body));
        if (required.length) input.body = deleteAt(body, [this.pick(required)]);
        else input.body = undefined;
        break;
      }
      case 'out-of-range':
        at(outOfRange(schemaAt(schema, leaf), getAt(body, leaf), this.rng()));
        break;
      case '1e309':
        at(new RawJson(this.pick(['1e309', '-1e309', '1e-400'])));
        break;
      case '-0':
        at(new RawJson('-0'));
        break;
      case 'huge-string':
        at('x'.repeat(200_000));
        break;
      case 'over-limit':
        at('x'.repeat(1_100_000));
        break;
      case 'deep-nesting':
        at(this.pick([deepArray(5000), deepObject(5000)]));
        break;
      case 'huge-array':
        at(hugeArray(100_000));
        break;
      case '__proto__':
      case 'constructor': {
        const key =
          kind === '__proto__' ? '"__proto__":{"polluted":true}' : '"constructor":{"prototype":{"x":1}}';
        const text = toJson(body);
        extra.body = {
          type: 'application/json',
          bytes: Buffer.from(text.startsWith('{') && text !== '{}' ? `{${key},${text.slice(1)}` : `{${key}}`),
        };
        break;
      }
      case 'bom':
        extra.body = { type: 'application/json', bytes: Buffer.from(`\uFEFF${toJson(body)}`) };
        break;
      case 'invalid-utf8': {
        const text = toJson(setAt(body, leaf, '@@bad-bytes@@'));
        const [before, after] = text.split('@@bad-bytes@@') as [string, string?];
        extra.body = {
          type: 'application/json',
          bytes: Buffer.concat([
            Buffer.from(before),
            Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
            Buffer.from(after ?? ''),
          ]),
        };
        break;
      }
      default:
        at(`${asText(getAt(body, leaf))}${NUL}`);
    }
    return `${kind}:${pathName(leaf)}`;
  }

  /** The input most likely to pass validation: real ids, the example (or a schema sample), required query only. */
  private baseInput(op: Operation): Input {
    const example = this.known[op.route];
    const params = Object.fromEntries(
      op.pathParams.map((p) => [p.name, encodeURIComponent(this.realId(op, p.name) ?? uuidOf(this.seed()))]),
    );
    const query = op.query.length
      ? op.query
          .filter((q) => q.required || example?.query?.[q.name] !== undefined)
          .map((q): [string, string] => [
            q.name,
            encodeURIComponent(example?.query?.[q.name] ?? queryValue(this.sample(arbitraryOf(q.schema)))),
          ])
      : Object.entries(example?.query ?? {}).map(([k, v]): [string, string] => [k, encodeURIComponent(v)]);
    return { params, query, body: this.bodyOf(op, example) };
  }

  /** A new sample: real ids seven times in ten, every documented query parameter half the time. */
  private generatedInput(op: Operation): Input {
    const base = this.baseInput(op);
    for (const p of op.pathParams) {
      const real = this.realId(op, p.name);
      if (!real || this.rng() < 0.3) {
        const value =
          p.schema.format || p.schema.pattern || p.schema.enum ? this.sample(arbitraryOf(p.schema)) : null;
        base.params[p.name] = encodeURIComponent(String(value ?? uuidOf(this.seed())));
      }
    }
    if (op.query.length) {
      base.query = op.query
        .filter((q) => q.required || this.rng() < 0.5)
        .map((q) => [q.name, encodeURIComponent(queryValue(this.sample(arbitraryOf(q.schema))))]);
    }
    if (op.body) base.body = this.sample(arbitraryOf(op.body.schema));
    return base;
  }

  private bodyOf(op: Operation, example: Example | undefined): unknown {
    if (!hasBody(op)) return undefined;
    if (op.body) return this.sample(arbitraryOf(op.body.schema));
    return example?.body ?? {};
  }

  private realId(op: Operation, param: string): string | undefined {
    const segments = op.path.split('/');
    const resource = segments[segments.indexOf(`{${param}}`) - 1] ?? '';
    const list = this.opts.ids[resource] ?? [];
    if (list.length < 2) return list[0];
    return op.method === 'DELETE' ? list.at(-1) : this.pick(list.slice(0, -1));
  }

  private build(
    op: Operation,
    input: Input,
    kind: string,
    extra: { body?: Body; headers?: Record<string, string> },
  ): FuzzRequest {
    const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => input.params[name] ?? 'x');
    const qs = input.query.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&');
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.opts.apiKey}`,
      accept: 'application/json',
    };
    let body: Body = null;
    if (extra.body !== undefined) body = extra.body;
    else if (input.body !== undefined && hasBody(op)) {
      body =
        op.body?.contentType === 'application/x-www-form-urlencoded'
          ? formBody(formFieldsOf(input.body, ''), false)
          : { type: 'application/json', bytes: Buffer.from(toJson(input.body)) };
    }
    if (body?.type) headers['content-type'] = body.type;
    Object.assign(headers, extra.headers);
    if (headers.authorization === '') delete headers.authorization;
    return {
      route: op.route,
      method: op.method,
      path: qs ? `${path}?${qs}` : path,
      headers,
      ...(body ? { body: body.bytes } : {}),
      kind,
    };
  }

  private seed(): number {
    return Math.floor(this.rng() * 2 ** 31);
  }

  private sample<T>(arb: fc.Arbitrary<T>): T {
    return fc.sample(arb, { seed: this.seed(), numRuns: 1 })[0] as T;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rng() * list.length)] as T;
  }
}

const hasBody = (op: Operation) => op.method !== 'GET' && op.method !== 'HEAD';

/** A small fast seeded PRNG: the plan must not depend on Math.random. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(list: T[], rng: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

/** A version-4-shaped UUID from a number: random ids that exist nowhere. */
function uuidOf(n: number): string {
  const hex = n.toString(16).padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${hex}`;
}

const queryValue = (v: unknown) =>
  Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);

function withQuery(query: [string, string][], set: [string, string][]): [string, string][] {
  const names = new Set(set.map(([k]) => k));
  return [...query.filter(([k]) => !names.has(k)), ...set];
}

function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function propertiesOf(body: unknown): Record<string, unknown> {
  return asObject(asObject(body).properties);
}

/** occurredAt, from and to set to `date` wherever they are, and at the top level of an object body. */
function withDates(body: unknown, date: string): unknown {
  let out: unknown = { ...asObject(body), occurredAt: date, from: date, to: date };
  if (Array.isArray(body)) out = body;
  for (const path of leafPaths(body ?? {})) {
    if (['occurredAt', 'from', 'to'].includes(String(path.at(-1)))) out = setAt(out, path, date);
  }
  return out;
}

/** Top-level fields as form values (objects as JSON), with every known form field added as `fill`. */
function formFieldsOf(body: unknown, fill: string): Record<string, string> {
  const fields: Record<string, string> = Object.fromEntries(FORM_FIELDS.map((f) => [f, fill]));
  for (const [k, v] of Object.entries(asObject(body)))
    fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
  if (fill === '') for (const f of FORM_FIELDS) if (!(f in asObject(body))) delete fields[f];
  return fields;
}

/** Form-encoded; `encoded` values are sent as they are (to carry %00). */
function formBody(fields: Record<string, string>, encoded: boolean): Body {
  const text = Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encoded ? v : encodeURIComponent(v)}`)
    .join('&');
  return { type: 'application/x-www-form-urlencoded', bytes: Buffer.from(text) };
}

function multipart(fields: Record<string, string>): Body {
  const boundary = 'fuzzboundary7MA4YWxkTrZu0gW';
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    bytes: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
  };
}

const pathName = (path: Path) =>
  path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('') || 'body';

/** The schema of the value at a path, when the document gives one. */
export function schemaAt(schema: JsonSchema | undefined, path: Path): JsonSchema | undefined {
  let s = schema;
  for (const key of path) {
    if (!s) return undefined;
    s =
      typeof key === 'number'
        ? s.items
        : (s.properties?.[key] ??
          (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined));
  }
  return s;
}

/** Just past a documented bound, or a value no sane bound admits. */
export function outOfRange(schema: JsonSchema | undefined, current: unknown, roll: number): unknown {
  if (typeof schema?.maximum === 'number' && roll < 0.5) return schema.maximum + 1;
  if (typeof schema?.minimum === 'number') return schema.minimum - 1;
  if (typeof schema?.maxLength === 'number') return 'x'.repeat(schema.maxLength + 1);
  if (typeof current === 'string') return 'x'.repeat(10_001);
  const extremes = [1e308, -1, 2 ** 53 + 1, 1e21, -2147483649, 0.5];
  return extremes[Math.floor(roll * extremes.length)];
}

/** Any generated value as text; objects without a prototype (`__proto__` cases) have no toString. */
function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}
