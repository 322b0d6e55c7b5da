import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { newClientSecret } from './register';

/**
 * A new secret for a module (action `modules.rotateSecret`): the old one stops working at once;
 * the new one is returned this once and never audited.
 */
export const rotateModuleSecret = defineCommand({
  action: 'modules.rotateSecret',
  schema: z.object({ clientId: z.string().min(1).max(100) }),
  async load(deps: CommandDeps, input, transaction) {
    const client = await deps.repos.oidcClients.find(input.clientId, transaction);
    if (!client) throw notFound();
    return {
      target: client,
      policyTarget: undefined,
      audit: {
        targetType: 'oidc_client',
        targetId: client.clientId,
        details: { name: client.name },
      },
    };
  },
  async apply(deps, { target, transaction, now }) {
    const clientSecret = newClientSecret();
    await deps.repos.oidcClients.setSecret(target.clientId, clientSecret, now, transaction);
    return { result: { clientId: target.clientId, clientSecret }, audit: {} };
  },
});
