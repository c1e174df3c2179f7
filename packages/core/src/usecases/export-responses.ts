// Exporting answers as CSV (RFC 4180, streamed): what GET /v1/responses.csv and the console's /app/responses.csv both send, audited first.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { segmentOf } from '../domain/scoring.ts';
import type { Database } from '../store/client.ts';
import { eachResponse, type ResponseFilter } from '../views/responses.ts';
import { type Actor, recordAudit } from './audit.ts';

export const responseCsvColumns = [
  'id',
  'created_at',
  'updated_at',
  'survey_id',
  'score',
  'segment',
  'comment',
  'channel',
  'contact_id',
  'contact_email',
  'location',
  'event_id',
  'event_type',
] as const;

/** The value at properties.a.b of a row, as a CSV cell: objects as JSON, missing as empty. */
function propertyCell(properties: Record<string, unknown>, column: string): string {
  let value: unknown = properties;
  for (const key of column.split('.').slice(1)) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Every response matching the filter as CSV, newest first, a page at a time (memory stays flat). Extra
 * columns: `properties.<path>` (event properties) and `answers.<question id>`. The export is the change
 * worth recording: the audit entry is written before the first row leaves.
 */
export async function exportResponsesCsv(
  database: Database,
  input: {
    workspaceId: string;
    actor: Actor;
    filter: Omit<ResponseFilter, 'limit' | 'after'>;
    columns?: readonly string[] | undefined;
  },
): Promise<Readable> {
  const columns = input.columns ?? [];
  await recordAudit(database.db, {
    workspaceId: input.workspaceId,
    actor: input.actor,
    action: 'responses.export',
    detail: { filter: JSON.parse(JSON.stringify(input.filter)), columns: [...columns] },
  });
  const rows = eachResponse(database, input.workspaceId, input.filter);
  const records = Readable.from(
    (async function* () {
      for await (const { response: r, contact, location, surveyKind, eventExternalId, eventType } of rows) {
        yield [
          r.id,
          r.createdAt.toISOString(),
          r.updatedAt.toISOString(),
          r.surveyId,
          r.score,
          segmentOf(surveyKind, r.score),
          r.comment ?? '',
          r.channel,
          contact?.externalId ?? '',
          contact?.email ?? '',
          location?.id ? (location.name ?? '') : '',
          eventExternalId ?? '',
          eventExternalId ? (eventType ?? '') : '',
          ...columns.map((c) =>
            c.startsWith('answers.') ? String(r.answers[c.slice(8)] ?? '') : propertyCell(r.properties, c),
          ),
        ];
      }
    })(),
  );
  const csv = stringify({
    header: true,
    columns: [...responseCsvColumns, ...columns],
    record_delimiter: 'windows',
  });
  records.on('error', (err) => csv.destroy(err));
  return records.pipe(csv);
}
