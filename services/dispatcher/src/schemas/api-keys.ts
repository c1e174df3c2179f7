// API keys: what a POST names (a name and scopes), and what is shown of a key (never the key, except once).
import { scopes } from '@surveyflow/core';
import { text } from '@surveyflow/http';
import { z } from 'zod';

export const ApiKeyInput = z
  .object({
    name: text(100).trim().min(1, 'must not be empty'),
    scopes: z
      .array(z.enum(scopes, { error: `must be one of: ${scopes.join(', ')}` }))
      .min(1, 'must grant at least one scope')
      .max(scopes.length),
  })
  .strict()
  .meta({ example: { name: 'Shop backend', scopes: ['events:write'] } });

const ApiKeyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(z.enum(scopes)),
    prefix: z.string().meta({ description: 'the first characters of the key, to recognise it' }),
    createdAt: z.date(),
    createdBy: z
      .object({ kind: z.string(), label: z.string() })
      .nullable()
      .meta({ description: 'who created it: a member (their email), another key (its name) or the system' }),
    lastUsedAt: z.date().nullable().meta({ description: 'to the minute: written at most once a minute' }),
  })
  .meta({ id: 'ApiKey' });

export const ApiKeyCreated = ApiKeyView.extend({
  key: z.string().meta({ description: 'the key itself: shown only in this answer, store it now' }),
}).meta({ id: 'ApiKeyCreated' });

export const ApiKeyList = z.object({ data: z.array(ApiKeyView) });
