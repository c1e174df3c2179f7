// Accepting events: one statement stores a batch (contacts upserted, duplicates skipped).
import type { JobPayload } from '../queues.ts';
import type { Database } from '../store/client.ts';

export type IncomingEvent = {
  id: string;
  type: string;
  occurredAt: Date;
  contact: {
    id: string;
    email?: string | undefined;
    phone?: string | undefined;
    name?: string | undefined;
    locale?: string | undefined;
    timezone?: string | undefined;
  };
  properties: Record<string, unknown>;
};

/** Per item: the new event's row id, or null when the id was already known (a duplicate). */
export type IngestResult = { id: string; eventId: string | null };

/**
 * Stores events in one round trip. A duplicate id changes nothing, not even the contact: contact
 * attributes are upserted only for events that are new. `planJob`: the id of the one `events.plan` job
 * the caller enqueues for the new events once this has committed (see `planChunkJob`); null when each
 * event gets an `event.plan` job of its own.
 */
export async function ingestEvents(
  { sql }: Database,
  workspaceId: string,
  items: readonly IncomingEvent[],
  planJob: string | null = null,
): Promise<IngestResult[]> {
  if (items.length === 0) return [];
  const TEXT = 25; // pg type oid: every column travels as text[] and is cast in SQL
  const col = (pick: (e: IncomingEvent) => string | null) => sql.array(items.map(pick), TEXT);
  const rows = await sql<{ id: string; external_id: string }[]>`
    with input as (
      select * from unnest(
        ${col((e) => e.id)}::text[], ${col((e) => e.type)}::text[], ${col((e) => e.occurredAt.toISOString())}::timestamptz[],
        ${col((e) => JSON.stringify(e.properties))}::jsonb[], ${col((e) => e.contact.id)}::text[],
        ${col((e) => e.contact.email ?? null)}::text[], ${col((e) => e.contact.phone ?? null)}::text[],
        ${col((e) => e.contact.name ?? null)}::text[], ${col((e) => e.contact.locale ?? null)}::text[],
        ${col((e) => e.contact.timezone ?? null)}::text[]
      ) with ordinality as t(external_id, type, occurred_at, properties, c_ext, c_email, c_phone, c_name, c_locale, c_tz, ord)
    ),
    fresh as (
      select * from input i
      where not exists (select 1 from events e where e.workspace_id = ${workspaceId} and e.external_id = i.external_id)
    ),
    upserted as (
      insert into contacts as c (workspace_id, external_id, email, phone, name, locale, timezone)
      select distinct on (c_ext) ${workspaceId}::uuid, c_ext, c_email, c_phone, c_name, c_locale, c_tz
      from fresh order by c_ext, ord desc
      on conflict (workspace_id, external_id) do update set
        email = case when c.erased_at is null then coalesce(excluded.email, c.email) end,
        phone = case when c.erased_at is null then coalesce(excluded.phone, c.phone) end,
        name = case when c.erased_at is null then coalesce(excluded.name, c.name) end,
        locale = case when c.erased_at is null then coalesce(excluded.locale, c.locale) end,
        timezone = case when c.erased_at is null then coalesce(excluded.timezone, c.timezone) end,
        updated_at = now(),
        email_bounced_at = case when excluded.email is distinct from c.email and excluded.email is not null
          then null else c.email_bounced_at end
      returning id, external_id
    ),
    inserted as (
      insert into events (workspace_id, external_id, type, occurred_at, contact_id, properties, plan_job)
      select ${workspaceId}::uuid, f.external_id, f.type, f.occurred_at, (u.ids ->> f.c_ext)::uuid, f.properties,
        ${planJob}::uuid
      -- The contact ids as one map, looked up per event: a join of two CTEs has no statistics, and the
      -- planner's nested loop over them compared every event with every contact (999,000 rows for 1,000).
      from fresh f cross join (select jsonb_object_agg(external_id, id) as ids from upserted) u
      order by f.ord
      on conflict (workspace_id, external_id) do nothing
      returning id, external_id
    )
    select id, external_id from inserted`;
  const created = new Map(rows.map((r) => [r.external_id, r.id]));
  // The same id twice in one batch: the first occurrence is the event, the rest are duplicates.
  return items.map((item) => {
    const eventId = created.get(item.id) ?? null;
    if (eventId) created.delete(item.id);
    return { id: item.id, eventId };
  });
}

export const eventIdsOf = (results: IngestResult[]) => results.flatMap((r) => (r.eventId ? [r.eventId] : []));

/** The `events.plan` job for the new events of one ingest statement stored under `planJob` (none when all were duplicates). */
export function planChunkJob(planJob: string, results: IngestResult[]): JobPayload<'events.plan'>[] {
  const eventIds = eventIdsOf(results);
  return eventIds.length ? [{ chunkId: planJob, eventIds }] : [];
}
