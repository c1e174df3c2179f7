// Reading surveys, shared by the use cases that make invitations and location codes for one.
import { and, eq } from 'drizzle-orm';
import { AppError } from '../../errors.ts';
import type { Tx } from '../client.ts';
import { surveys } from '../schema.ts';

/** The workspace's survey, or a 404 naming it. */
export async function surveyOf(tx: Tx, workspaceId: string, surveyId: string): Promise<{ id: string }> {
  const [survey] = await tx
    .select({ id: surveys.id })
    .from(surveys)
    .where(and(eq(surveys.workspaceId, workspaceId), eq(surveys.id, surveyId)));
  if (!survey) throw AppError.notFound(`Survey ${surveyId}`);
  return survey;
}
