// POST /v1/workspaces (instance administrators): a new tenant, its first admin key and, optionally, its owner.
import { isValidTimeZone } from '@surveyflow/core';
import { text } from '@surveyflow/http';
import { z } from 'zod';

export const NewWorkspaceInput = z
  .object({
    name: text(200).trim().min(1, 'must not be empty'),
    alertEmail: z.email().max(320).optional(),
    timezone: text(100).refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Warsaw').optional(),
    ownerEmail: z.email().max(320).optional().meta({
      description: 'this person (created if new) becomes the owner; they sign in to the console with it',
    }),
    ownerName: text(200).trim().min(1).optional(),
  })
  .strict()
  .meta({ example: { name: 'Second shop', ownerEmail: 'owner@shop2.example', timezone: 'Europe/Warsaw' } });

export const WorkspaceCreated = z
  .object({
    id: z.uuid(),
    name: z.string(),
    apiKey: z.object({
      id: z.uuid(),
      name: z.string(),
      scopes: z.array(z.string()),
      key: z.string().meta({ description: 'the admin key itself: shown only in this answer' }),
    }),
    owner: z.object({ id: z.uuid(), email: z.string() }).nullable(),
  })
  .meta({ id: 'WorkspaceCreated' });
