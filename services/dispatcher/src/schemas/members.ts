// Members: the people of a workspace, so API users can assign cases to them.
import { roles } from '@surveyflow/core';
import { z } from 'zod';

export const MemberView = z
  .object({
    id: z.uuid().describe('Pass as assigneeId on PATCH /v1/cases/:id'),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(roles),
  })
  .meta({ id: 'Member' });

export const MemberList = z.object({ data: z.array(MemberView) });
