import { z } from 'zod';
import { defineCommand, ownAccountAudit, type CommandDeps } from '../../../access/command';
import type { IdentityCache } from '../../sessions/identity-cache';
import { ValidationError } from '../../../shared/validation';

type Deps = CommandDeps & { identities: Pick<IdentityCache, 'refresh'> };

/**
 * The person accepts the confidentiality agreement's version they were shown (`version`, from the
 * form: a version published while they read is not accepted unread — they are shown the new one).
 * Recorded with the time, the session's establishment and the address, audited as
 * `me.acceptAgreement`; their cached identity is rewritten so every session of theirs goes on.
 */
export const acceptAgreement = defineCommand({
  action: 'authenticated',
  audit: 'me.acceptAgreement',
  schema: z.object({ version: z.coerce.number().int().positive() }),
  async load(deps: Deps, _input, transaction, actor) {
    const current = await deps.repos.agreements.current(transaction);
    return {
      target: current,
      policyTarget: undefined,
      audit: ownAccountAudit(actor),
    };
  },
  async apply(deps, { input, target: current, transaction, actor, now, meta }) {
    if (!current || current.version !== input.version)
      throw new ValidationError({
        version:
          'Se publicó una versión nueva del acuerdo mientras lo leía. Lea la versión vigente y acéptela.',
      });
    await deps.repos.agreements.accept(
      {
        userId: actor.userId,
        version: current.version,
        acceptedAt: now,
        establishmentId: actor.establishmentId,
        ip: meta.ip,
        userAgent: meta.userAgent,
      },
      transaction,
    );
    return {
      result: { userId: actor.userId, version: current.version },
      audit: { details: { version: current.version, title: current.title } },
    };
  },
  async after(deps, { userId }) {
    await deps.identities.refresh(userId);
  },
});
