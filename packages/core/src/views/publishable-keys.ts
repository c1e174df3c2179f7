// What the API shows of a publishable key: the key itself too (it is public by design, it sits in the shop's HTML).
import type { publishableKeys } from '../store/schema.ts';

export function publishableKeyView(r: typeof publishableKeys.$inferSelect) {
  return {
    id: r.id,
    name: r.name,
    key: r.key,
    surveyIds: r.surveyIds,
    allowedOrigins: r.allowedOrigins,
    requireIdentity: r.requireIdentity,
    hasIdentitySecret: r.identitySecretSealed !== null,
    createdAt: r.createdAt,
    revokedAt: r.revokedAt,
  };
}
