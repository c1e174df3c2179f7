// Secrets handed to people: survey link tokens and API keys. Only their SHA-256 is ever stored.
import { createHash, randomBytes } from 'node:crypto';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

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

/** What may be shown of a key after it is created. */
export const apiKeyPrefix = (key: string) => `${key.slice(0, 12)}…`;
