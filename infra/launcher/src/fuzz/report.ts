// What a run found, in numbers and in words: counts per route and status, and each 5xx spelled out so the fix is obvious.
import type { FuzzResult } from './client.ts';

export type RouteCounts = {
  route: string;
  sent: number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  'no answer': number;
};

export type FuzzSummary = {
  sent: number;
  byRoute: RouteCounts[];
  /** "200": 412, …; "none" for requests that got no answer. */
  byStatus: Record<string, number>;
  serverErrors: FuzzResult[];
  noAnswer: FuzzResult[];
};

export function summarize(results: readonly FuzzResult[]): FuzzSummary {
  const routes = new Map<string, RouteCounts>();
  const byStatus: Record<string, number> = {};
  for (const r of results) {
    const counts = routes.get(r.request.route) ?? {
      route: r.request.route,
      sent: 0,
      '2xx': 0,
      '3xx': 0,
      '4xx': 0,
      '5xx': 0,
      'no answer': 0,
    };
    counts.sent += 1;
    const klass = r.status === 0 ? 'no answer' : (`${Math.floor(r.status / 100)}xx` as '2xx');
    if (klass in counts) counts[klass as '2xx'] += 1;
    routes.set(r.request.route, counts);
    const key = r.status === 0 ? 'none' : String(r.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
  return {
    sent: results.length,
    byRoute: [...routes.values()].sort((a, b) => a.route.localeCompare(b.route)),
    byStatus: Object.fromEntries(Object.entries(byStatus).sort(([a], [b]) => a.localeCompare(b))),
    serverErrors: results.filter((r) => r.status >= 500),
    noAnswer: results.filter((r) => r.status === 0),
  };
}

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/** One line per request: method, path, status, the case, the body sent (escaped, clipped) and the start of the answer. */
export function describeResult(r: FuzzResult): string {
  const { request } = r;
  const body = request.body ? JSON.stringify(clip(request.body.toString('utf8'), 300)) : '(none)';
  const type = request.headers['content-type'] ?? '-';
  return [
    `${request.method} ${clip(request.path, 200)} → ${r.status || r.error} [${request.route}; ${request.kind}]`,
    `    body (${type}): ${body}`,
    `    answer: ${clip(r.answer, 300)}`,
  ].join('\n');
}
