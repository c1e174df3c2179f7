// Benjamini–Hochberg: p-values adjusted for the number of comparisons, controlling the false discovery rate.

/**
 * Adjusted p-values as R's p.adjust(p, "BH"): sort ascending, p(i)·m/i, then the running minimum from
 * the largest down, capped at 1. `null` (no test) stays null and does not count in m. `rejected[i]` is
 * adjusted[i] ≤ q.
 */
export function benjaminiHochberg(
  pValues: readonly (number | null)[],
  q = 0.05,
): { adjusted: (number | null)[]; rejected: boolean[] } {
  const tested = pValues
    .map((p, index) => ({ p, index }))
    .filter((x): x is { p: number; index: number } => x.p !== null)
    .sort((a, b) => a.p - b.p);
  const m = tested.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const item = tested[rank - 1] as { p: number; index: number };
    running = Math.min(running, (item.p * m) / rank);
    adjusted[item.index] = running;
  }
  return { adjusted, rejected: adjusted.map((a) => a !== null && a <= q) };
}
