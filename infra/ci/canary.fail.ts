// Fails on purpose. .ci/run checks that a failing run through our global setup exits non-zero:
// once, a dependency's exit hook turned every failing run into exit 0, and CI could not go red.
import { expect, it } from 'vitest';

it('fails on purpose', () => {
  expect('red').toBe('green');
});
