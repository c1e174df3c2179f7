// The summary rows a benchmark stage reports to `npm run bench` (infra/launcher/src/bench/main.ts): one line of JSON each, appended
// to the file named by BENCH_SUMMARY. Run alone (no BENCH_SUMMARY), a stage prints them instead.
import { appendFileSync } from 'node:fs';

export type BenchRow = {
  /** What is measured, e.g. "POST /v1/events, 32 clients". */
  stage: string;
  /** Our figure with its unit, e.g. "3,412 events/s". */
  value: string;
  /** The baseline measured in the same run, with its unit. */
  baseline?: string;
  /** value ÷ baseline (or the ratio the target is stated in). */
  ratio?: number;
  /** The goal, e.g. "≥ 1.0×" or "< 150 ms". */
  target?: string;
  met?: boolean;
};

export function reportRows(rows: BenchRow[]): void {
  const file = process.env.BENCH_SUMMARY;
  if (!file) {
    console.table(rows);
    return;
  }
  appendFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
