/** @jsxRuntime automatic */
/** @jsxImportSource preact */
// The pieces every console page is built from: tables that read as cards on a phone, cursor paging, empty states,
// notices, dates in the workspace's zone, settings tabs. One component per thing; pages compose them.
import { type Locale, type Role, roleAllows, type SignedIn } from '@surveyflow/core';
import type { ComponentChildren } from 'preact';
import { say } from '../i18n.ts';

/** A date and time in the workspace's time zone, with the zone named, so a team across zones reads it alike. */
export const dateTime = (locale: Locale, d: Date, timeZone: string) =>
  new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(d);

/** A machine-readable time next to the readable one (scripts such as a countdown read `datetime`). */
/** The time zone a member's pages show dates in: their workspace's. */
export const zoneOf = (session: SignedIn) => session.workspace?.timezone ?? 'UTC';

export const When = ({ locale, at, zone }: { locale: Locale; at: Date; zone: string }) => (
  <time datetime={at.toISOString()}>{dateTime(locale, at, zone)}</time>
);

export type Column<T> = {
  /** The header; also the label shown before the value when the table reads as cards (≤ 640 px). */
  header: string;
  cell: (row: T) => ComponentChildren;
  /** The header is for screen readers only (an actions column). */
  hiddenHeader?: boolean;
  numeric?: boolean;
};

/** A data table: headers for screen readers and wide screens; on a phone each row is a card of labelled values. */
export function Table<T>(props: {
  label: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
}) {
  return (
    <table class="data" aria-label={props.label}>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th scope="col" key={c.header} class={c.numeric ? 'num' : undefined}>
              {c.hiddenHeader ? <span class="sr-only">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)}>
            {props.columns.map((c) => (
              <td key={c.header} class={c.numeric ? 'num' : undefined}>
                {c.hiddenHeader ? null : <span class="label">{c.header}: </span>}
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The link to the next page of a list: the API's opaque cursor added to the current filters. Lists page
 * forwards only (the API's cursors are keyset cursors); "first page" goes back to the start.
 */
export function Pager(props: {
  locale: Locale;
  path: string;
  query: Record<string, string | undefined>;
  nextCursor: string | null;
}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(props.query))
    if (v !== undefined && v !== '' && k !== 'cursor') params.set(k, v);
  const first = params.toString();
  const onLaterPage = props.query.cursor !== undefined && props.query.cursor !== '';
  if (props.nextCursor) params.set('cursor', props.nextCursor);
  if (!props.nextCursor && !onLaterPage) return null;
  return (
    <nav class="pager" aria-label={say(props.locale, 'pages')}>
      {onLaterPage ? (
        <a href={first ? `${props.path}?${first}` : props.path}>{say(props.locale, 'firstPage')}</a>
      ) : null}
      {props.nextCursor ? (
        <a href={`${props.path}?${params.toString()}`} rel="next">
          {say(props.locale, 'nextPage')}
        </a>
      ) : null}
    </nav>
  );
}

/** What an empty list says: what it would show, and what to do next (often a command to copy). */
export function Empty(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{props.title}</p>
      {props.children}
    </div>
  );
}

/** A status line after an action (polite), or an error (assertive). */
/** A secret on the answer that made it (an API key, a webhook's or a widget key's secret), shown this once. */
export function ShownOnce(props: { id: string; title: string; note: string; value: string; testId: string }) {
  return (
    <section class="card" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <p class="notice" role="status">
        {props.note}
      </p>
      <code class="secret" data-testid={props.testId}>
        {props.value}
      </code>
    </section>
  );
}

export function Notice(props: { text?: string | undefined; error?: boolean }) {
  if (!props.text) return null;
  return props.error ? (
    <p class="notice error" role="alert">
      {props.text}
    </p>
  ) : (
    <p class="notice" role="status">
      {props.text}
    </p>
  );
}

/** The tabs of /app/settings, in order. Each tab is its own page; the current one is marked. */
export type SettingsTab = 'workspace' | 'branding' | 'team' | 'keys' | 'webhooks';

/** The settings tabs a role may open: everyone reads the workspace and the team; the rest need their permission. */
export function settingsTabsFor(role: Role): SettingsTab[] {
  return [
    'workspace',
    ...(roleAllows(role, 'workspace.settings') ? (['branding'] as const) : []),
    'team',
    ...(roleAllows(role, 'keys.manage') ? (['keys'] as const) : []),
    ...(roleAllows(role, 'webhooks.manage') ? (['webhooks'] as const) : []),
  ];
}

export function SettingsTabs(props: { locale: Locale; current: SettingsTab; show: readonly SettingsTab[] }) {
  const href: Record<SettingsTab, string> = {
    workspace: '/app/settings',
    branding: '/app/settings/branding',
    team: '/app/team',
    keys: '/app/keys',
    webhooks: '/app/settings/webhooks',
  };
  const label: Record<SettingsTab, string> = {
    workspace: say(props.locale, 'tabWorkspace'),
    branding: say(props.locale, 'tabBranding'),
    team: say(props.locale, 'team'),
    keys: say(props.locale, 'apiKeys'),
    webhooks: say(props.locale, 'tabWebhooks'),
  };
  return (
    <nav class="tabs" aria-label={say(props.locale, 'navSettings')}>
      {props.show.map((tab) => (
        <a key={tab} href={href[tab]} aria-current={tab === props.current ? 'page' : undefined}>
          {label[tab]}
        </a>
      ))}
    </nav>
  );
}
