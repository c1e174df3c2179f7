// Bodies with raw parts and deep structures, built without recursion.
import { describe, expect, test } from 'vitest';
import { deepObject, deleteAt, hugeArray, leafPaths, RawJson, setAt, toJson } from './json.ts';

describe('JSON with raw parts', () => {
  test('raw text lands verbatim where the value sits: 1e309, -0', () => {
    expect(toJson({ a: new RawJson('1e309'), b: [new RawJson('-0')], c: 'x' })).toBe(
      '{"a":1e309,"b":[-0],"c":"x"}',
    );
  });

  test('5,000 levels are built as text, and the text is that deep', () => {
    const text = toJson({ properties: deepObject(5000) });
    expect(text.match(/\{"a":/g)).toHaveLength(5000);
    expect(text.endsWith(`${'}'.repeat(5001)}`)).toBe(true);
  });

  test('100,000 items', () => {
    expect(JSON.parse(hugeArray(100_000).text)).toHaveLength(100_000);
  });

  test('leaves, set and delete by path leave the original alone', () => {
    const value = { a: { b: 'x', c: [1, {}] }, d: [] };
    expect(leafPaths(value)).toEqual([['a', 'b'], ['a', 'c', 0], ['a', 'c', 1], ['d']]);
    expect(setAt(value, ['a', 'c', 0], 'y')).toEqual({ a: { b: 'x', c: ['y', {}] }, d: [] });
    expect(deleteAt(value, ['a', 'b'])).toEqual({ a: { c: [1, {}] }, d: [] });
    expect(value).toEqual({ a: { b: 'x', c: [1, {}] }, d: [] });
  });
});
