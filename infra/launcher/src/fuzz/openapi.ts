// The operations an OpenAPI 3.1 document describes, flattened for the fuzzer: path, parameters and body schemas with $refs resolved.

/** A JSON Schema as @fastify/swagger emits it from zod: only the keywords the generator reads are typed. */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  default?: unknown;
  [keyword: string]: unknown;
};

export type Parameter = { name: string; required: boolean; schema: JsonSchema };

export type Operation = {
  method: string;
  /** The path as the document spells it, e.g. /v1/cases/{id}. */
  path: string;
  /** "GET /v1/cases/{id}": how reports name it. */
  route: string;
  pathParams: Parameter[];
  query: Parameter[];
  body: { contentType: string; schema: JsonSchema } | null;
};

type OpenApiParameter = { name: string; in: string; required?: boolean; schema?: JsonSchema; $ref?: string };
type OpenApiOperation = {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
};
export type OpenApiDocument = {
  paths?: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema>; parameters?: Record<string, OpenApiParameter> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation in the document, in document order; a path parameter the document forgot is still one. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [m, op] of Object.entries(item)) {
      if (!METHODS.includes(m)) continue;
      const method = m.toUpperCase();
      const params = (op.parameters ?? []).map((p) =>
        p.$ref ? (doc.components?.parameters?.[p.$ref.split('/').at(-1) ?? ''] ?? p) : p,
      );
      const param = (p: OpenApiParameter): Parameter => ({
        name: p.name,
        required: p.required ?? false,
        schema: deref(doc, p.schema ?? {}),
      });
      const pathParams = params.filter((p) => p.in === 'path').map(param);
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (name && !pathParams.some((p) => p.name === name)) {
          pathParams.push({ name, required: true, schema: { type: 'string' } });
        }
      }
      const content = op.requestBody?.content ?? {};
      const contentType =
        ['application/json', 'application/x-www-form-urlencoded'].find((t) => t in content) ??
        Object.keys(content)[0];
      const bodySchema = contentType ? content[contentType]?.schema : undefined;
      ops.push({
        method,
        path,
        route: `${method} ${path}`,
        pathParams,
        query: params.filter((p) => p.in === 'query').map(param),
        body: contentType && bodySchema ? { contentType, schema: deref(doc, bodySchema) } : null,
      });
    }
  }
  return ops;
}

/** Inlines local $refs (#/components/schemas/…); a cycle is cut to {} so generation always ends. */
export function deref(
  doc: OpenApiDocument,
  schema: JsonSchema,
  seen: ReadonlySet<string> = new Set(),
): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.split('/').at(-1) ?? '';
    const target = doc.components?.schemas?.[name];
    if (!target || seen.has(name)) return {};
    return deref(doc, target, new Set([...seen, name]));
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, deref(doc, v, seen)]),
    );
  }
  if (schema.items) out.items = deref(doc, schema.items, seen);
  if (typeof schema.additionalProperties === 'object') {
    out.additionalProperties = deref(doc, schema.additionalProperties, seen);
  }
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[k];
    if (list) out[k] = list.map((s) => deref(doc, s, seen));
  }
  return out;
}
