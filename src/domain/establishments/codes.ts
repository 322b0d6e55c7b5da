import type { Transaction } from 'sequelize';
import type { Repositories } from '../../storage/repositories';

/** An establishment's code as the ministry writes it: letters, digits, `.`, `_`, `-` (up to 32). */
export const ESTABLISHMENT_CODE_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;

/** Region code derived from its name ("Alto Paraná" → "ALTO-PARANA"), stable across imports. */
export const regionCode = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The región of that name (found by its code), created when new, in the caller's transaction. */
export async function ensureRegion(
  repos: Repositories,
  name: string,
  transaction: Transaction,
): Promise<{ id: number; name: string; created: boolean }> {
  const { region, created } = await repos.establishments.regions.ensure(
    { code: regionCode(name), name: name.trim() },
    transaction,
  );
  return { id: region.id, name: region.name, created };
}
