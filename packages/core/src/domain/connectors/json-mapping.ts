// Any JSON webhook → an event, by a JSONata expression written per connector; compiled once, evaluated under jsonata's time, depth and size guards.
import jsonata from 'jsonata';
import { type EventDraft, type Mapped, obj, str } from './mapped.ts';

/** An expression that runs longer than this is stopped (a runaway $map over a huge array, a recursion). */
export const MAPPING_TIMEOUT_MS = 100;
/** How deep expression evaluation may nest: a self-recursive function is refused long before the stack is. */
export const MAPPING_MAX_DEPTH = 200;
export const MAX_EXPRESSION_LENGTH = 5_000;
/** The longest sequence an expression may build. */
export const MAPPING_MAX_SEQUENCE = 10_000;

export type CompiledMapping = { evaluate(payload: unknown): Promise<Mapped> };

export class MappingSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number | undefined,
  ) {
    super(message);
  }
}

/** Compiles a mapping; a syntax error says where. */
export function compileMapping(expression: string): CompiledMapping {
  if (expression.length > MAX_EXPRESSION_LENGTH)
    throw new MappingSyntaxError(`is longer than ${MAX_EXPRESSION_LENGTH} characters`, undefined);
  let compiled: jsonata.Expression;
  try {
    // jsonata's own guardrails: evaluation time, nesting depth and sequence length are bounded.
    compiled = jsonata(expression, {
      timeout: MAPPING_TIMEOUT_MS,
      stack: MAPPING_MAX_DEPTH,
      sequence: MAPPING_MAX_SEQUENCE,
    });
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new MappingSyntaxError(e.message ?? String(err), e.position);
  }
  return {
    async evaluate(payload) {
      let result: unknown;
      try {
        result = await compiled.evaluate(payload);
      } catch (err) {
        const message = (err as { message?: string }).message ?? String(err);
        return { kind: 'rejected', field: 'mapping', reason: `the mapping failed: ${message}` };
      }
      return toDraft(result);
    },
  };
}

/** What the expression gave, checked for the fields an event needs; the first missing one is named. */
function toDraft(result: unknown): Mapped {
  if (result === undefined || result === null || typeof result !== 'object' || Array.isArray(result))
    return {
      kind: 'rejected',
      field: 'mapping',
      reason: 'the mapping must give an object { id, type, contact, properties }',
    };
  const r = obj(result);
  const id = str(r.id);
  if (!id) return { kind: 'rejected', field: 'id', reason: 'id is missing (the mapping gave none)' };
  const type = str(r.type);
  if (!type) return { kind: 'rejected', field: 'type', reason: 'type is missing (the mapping gave none)' };
  const contact = obj(r.contact);
  const contactId = str(contact.id);
  if (!contactId)
    return { kind: 'rejected', field: 'contact.id', reason: 'contact.id is missing (the mapping gave none)' };
  const event: EventDraft = {
    id,
    type,
    contact: { ...(contact as EventDraft['contact']), id: contactId },
    properties: obj(r.properties),
  };
  return { kind: 'event', event };
}
