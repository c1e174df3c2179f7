// Sampling: a stable coin per contact and trigger, so the same contact always lands on the same side.
import { createHash } from 'node:crypto';

/** A number in [0, 1) from a hash of trigger and contact: uniform, stable, independent across triggers. */
export function sampleBucket(triggerId: string, contactId: string): number {
  const digest = createHash('sha256').update(`${triggerId}:${contactId}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export function sampledIn(rate: number, triggerId: string, contactId: string): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return sampleBucket(triggerId, contactId) < rate;
}
