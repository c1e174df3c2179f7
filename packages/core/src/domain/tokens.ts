// Secrets handed to people: survey link tokens and API keys. Lookups use their SHA-256; a survey token is also
// kept sealed (AES-256-GCM under SECRET_KEY) so a reminder can resend the same link.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Compares secrets in constant time (for equal lengths; the length itself is not secret). */
export function safeEqual(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** 192 random bits, URL-safe: a survey link's only credential. */
export function newSurveyToken(): { token: string; hash: string } {
  const token = randomBytes(24).toString('base64url');
  return { token, hash: sha256(token) };
}

/** Tokens are base64url of 24 bytes; anything else is not worth a database lookup. */
export const looksLikeSurveyToken = (value: string) => /^[A-Za-z0-9_-]{32}$/.test(value);

export type ApiKeyMode = 'live' | 'test';

export function newApiKey(mode: ApiKeyMode = 'live'): string {
  return `sf_${mode}_${randomBytes(24).toString('base64url')}`;
}

/**
 * A sign-in link's token: derived from the link's id under SECRET_KEY, so the database keeps only its hash and the
 * mail in the outbox carries a slot that the sender fills (nothing in Postgres opens a session).
 */
export const signInToken = (secret: string, linkId: string) =>
  createHmac('sha256', secret).update(`sign-in:${linkId}`).digest('base64url');

/** What may be shown of a key after it is created. */
export const apiKeyPrefix = (key: string) => `${key.slice(0, 12)}…`;

const keyFrom = (secret: string) => createHash('sha256').update(secret).digest();

/** Encrypts a survey token for storage: iv.ciphertext.tag, base64url. Useless without SECRET_KEY. */
export function sealToken(token: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return [iv, sealed, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

export function unsealToken(sealed: string, secret: string): string {
  const [iv, data, tag] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !data || !tag) throw new Error('not a sealed token');
  const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
}
