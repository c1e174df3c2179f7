// A list send's CSV, row by row: which column is which, and whether a row can be planned or why not.
import { isValidEmail, isValidPhone, localePattern } from './addresses.ts';
import { isValidTimeZone } from './rules/plan.ts';

export type ContactColumn = 'id' | 'email' | 'phone' | 'name' | 'locale' | 'timezone';

/** Header names each contact field is known by (compared lower-case, without spaces, dashes or underscores). */
const aliases: Record<ContactColumn, readonly string[]> = {
  id: ['id', 'contactid', 'externalid', 'customerid'],
  email: ['email', 'emailaddress', 'mail'],
  phone: ['phone', 'phonenumber', 'mobile', 'sms'],
  name: ['name', 'fullname'],
  locale: ['locale', 'language', 'lang'],
  timezone: ['timezone', 'tz', 'zone'],
};

/** Where each field is in a row: contact fields by column index, every other column a property by its header. */
export type HeaderMap = { fields: Partial<Record<ContactColumn, number>>; properties: [string, number][] };

const normal = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');

/** Reads the header row; a file without an id column cannot be sent (null, with the reason). */
export function mapHeader(header: readonly string[]): { map: HeaderMap } | { error: string } {
  const fields: HeaderMap['fields'] = {};
  const properties: [string, number][] = [];
  header.forEach((raw, i) => {
    const n = normal(raw);
    const field = (Object.keys(aliases) as ContactColumn[]).find((f) => aliases[f].includes(n));
    if (field && fields[field] === undefined) fields[field] = i;
    else if (raw.trim()) properties.push([raw.trim(), i]);
  });
  if (fields.id === undefined) {
    return { error: `the header row has no id column (one of: ${aliases.id.join(', ')})` };
  }
  return { map: { fields, properties } };
}

export type StagedRow = {
  externalId: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  locale: string | null;
  timezone: string | null;
  properties: Record<string, string>;
};

export type MappedRow =
  | { ok: true; row: StagedRow }
  | { ok: false; reason: string; externalId: string | null };

/** One data row: the contact's fields checked (empty cells are absent), the rest kept as text properties. */
export function mapRow(map: HeaderMap, values: readonly string[]): MappedRow {
  const cell = (i: number | undefined) => {
    const v = i === undefined ? '' : (values[i] ?? '').trim();
    return v === '' ? null : v;
  };
  const externalId = cell(map.fields.id);
  const bad = (reason: string): MappedRow => ({ ok: false, reason, externalId });
  if (!externalId) return bad('no id');
  if (externalId.length > 200) return bad('id longer than 200 characters');
  const email = cell(map.fields.email);
  if (email !== null && !isValidEmail(email)) return bad(`invalid email: ${email.slice(0, 100)}`);
  const phone = cell(map.fields.phone);
  if (phone !== null && !isValidPhone(phone)) {
    return bad(`invalid phone (E.164 such as +48600100200): ${phone.slice(0, 40)}`);
  }
  const locale = cell(map.fields.locale);
  if (locale !== null && !localePattern.test(locale)) return bad(`invalid locale: ${locale.slice(0, 40)}`);
  const timezone = cell(map.fields.timezone);
  if (timezone !== null && !isValidTimeZone(timezone)) {
    return bad(`unknown time zone (IANA such as Europe/Warsaw): ${timezone.slice(0, 60)}`);
  }
  const properties: Record<string, string> = {};
  for (const [key, i] of map.properties) {
    const v = cell(i);
    if (v !== null) properties[key] = v;
  }
  const name = cell(map.fields.name);
  return {
    ok: true,
    row: { externalId, email, phone, name: name?.slice(0, 200) ?? null, locale, timezone, properties },
  };
}
