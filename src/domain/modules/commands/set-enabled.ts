import { defineCommand } from '../../../access/command';
import { loadModule, moduleInput } from '../load-module';

const toggle = (enabled: boolean) =>
  defineCommand({
    action: enabled ? 'modules.enable' : 'modules.disable',
    schema: moduleInput,
    load: loadModule,
    async apply(deps, { target, transaction, now }) {
      await deps.repos.oidcClients.update(target.clientId, { enabled }, now, transaction);
      return { result: { clientId: target.clientId }, audit: {} };
    },
  });

/**
 * A disabled module is refused at every endpoint of the provider within a second (each instance
 * reads a module at most once a second): no new sign-in, and its tokens fail at introspection
 * and UserInfo.
 */
export const disableModule = toggle(false);
export const enableModule = toggle(true);
