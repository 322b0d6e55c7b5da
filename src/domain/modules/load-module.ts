import { z } from 'zod';
import type { Transaction } from 'sequelize';
import type { CommandDeps } from '../../access/command';
import { notFound } from '../../shared/errors';

/** The input of a command on one registered module. */
export const moduleInput = z.object({ clientId: z.string().min(1).max(100) });

/** `load` of a command on one module: the module, locked, named in the audit row; unknown: 404. */
export async function loadModule(
  deps: CommandDeps,
  input: { clientId: string },
  transaction: Transaction,
) {
  const client = await deps.repos.oidcClients.find(input.clientId, transaction);
  if (!client) throw notFound();
  return {
    target: client,
    policyTarget: undefined,
    audit: { targetType: 'oidc_client', targetId: client.clientId, details: { name: client.name } },
  };
}
