// JSON bodies with holes: values JSON.stringify cannot write (1e309, -0, 5,000 levels, 100,000 items) spliced in as raw text.

/** Text placed verbatim where this value sits in a body. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type Path = (string | number)[];

const PLACEHOLDER = /"@@fuzz-raw-(\d+)@@"/g;

/** JSON text of a value whose parts may be RawJson. */
export function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `@@fuzz-raw-${raws.length - 1}@@`;
    }
    return v;
  });
  // undefined (a bare undefined value) has no JSON; an empty body says the same.
  if (text === undefined) return '';
  return raws.length === 0 ? text : text.replace(PLACEHOLDER, (_m, i: string) => raws[Number(i)] ?? 'null');
}

/** `{"a":{"a":…1…}}` nested `depth` levels: built as text, so neither we nor JSON.stringify recurse. */
export const deepObject = (depth: number) => new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
export const deepArray = (depth: number) => new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`);
export const hugeArray = (length: number) => new RawJson(`[${Array(length).fill('0').join(',')}]`);

/** Paths to every leaf (primitives and empty containers) of a JSON value. */
export function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) {
    return value.length === 0 ? [path] : value.flatMap((v, i) => leafPaths(v, [...path, i]));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => leafPaths(v, [...path, k]));
  }
  return [path];
}

/** The value at a path, or undefined. */
export function getAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

/** A copy with the value at `path` replaced (the root itself when the path is empty). */
export function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [key, ...rest] = path as [string | number, ...Path];
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[Number(key)] = setAt(copy[Number(key)], rest, replacement);
    return copy;
  }
  const obj = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  return { ...obj, [key]: setAt(obj[String(key)], rest, replacement) };
}

/** A copy without the key at `path`. */
export function deleteAt(value: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const parent = getAt(value, path.slice(0, -1));
  const key = path.at(-1) as string | number;
  if (Array.isArray(parent)) {
    return setAt(
      value,
      path.slice(0, -1),
      parent.filter((_, i) => i !== Number(key)),
    );
  }
  if (parent === null || typeof parent !== 'object') return value;
  const { [String(key)]: _gone, ...rest } = parent as Record<string, unknown>;
  return setAt(value, path.slice(0, -1), rest);
}
