import { defineCommand } from '../../../access/command';
import { loadModule, moduleInput } from '../load-module';
import { newClientSecret } from './register';

/**
 * A new secret for a module (action `modules.rotateSecret`): the old one stops working (within
 * a second on every instance); the new one is returned this once (with the module's name, for
 * the page that shows it) and never audited.
 */
export const rotateModuleSecret = defineCommand({
  action: 'modules.rotateSecret',
  schema: moduleInput,
  load: loadModule,
  async apply(deps, { target, transaction, now }) {
    const clientSecret = newClientSecret();
    await deps.repos.oidcClients.update(target.clientId, { clientSecret }, now, transaction);
    return { result: { clientId: target.clientId, name: target.name, clientSecret }, audit: {} };
  },
});
