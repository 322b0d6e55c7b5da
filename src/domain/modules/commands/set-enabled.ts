import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { notFound } from '../../../shared/errors';

const schema = z.object({ clientId: z.string().min(1).max(100) });

const toggle = (enabled: boolean) =>
  defineCommand({
    action: enabled ? 'modules.enable' : 'modules.disable',
    schema,
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
      await deps.repos.oidcClients.setEnabled(target.clientId, enabled, now, transaction);
      return { result: { clientId: target.clientId }, audit: {} };
    },
  });

/**
 * A disabled module is refused at once at every endpoint of the provider: no new sign-in, and
 * its tokens fail at introspection and UserInfo (the provider reads the client on each request).
 */
export const disableModule = toggle(false);
export const enableModule = toggle(true);
