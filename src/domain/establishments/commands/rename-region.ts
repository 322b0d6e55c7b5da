import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { notFound } from '../../../shared/errors';
import { ValidationError } from '../../../shared/validation';
import { regionCode } from '../codes';
import { idField, regionName } from './schema';

const schema = z.object({ id: idField, name: regionName });

/**
 * Renames a región. The code follows the name (the CSV import finds regiones by the code of the
 * name in the file), so a name whose code another región has is refused.
 */
export const renameRegion = defineCommand({
  action: 'regions.manage',
  audit: 'regions.rename',
  schema,
  async load(deps: CommandDeps, input, transaction) {
    const current = await deps.repos.establishments.regions.lockById(input.id, transaction);
    if (!current) throw notFound();
    return {
      target: current,
      policyTarget: undefined,
      audit: { targetType: 'region', targetId: String(current.id), regionIds: [current.id] },
    };
  },
  async apply(deps, { input, target: current, transaction }) {
    const { regions } = deps.repos.establishments;
    const code = regionCode(input.name);
    const other = await regions.findByCode(code, transaction);
    if (other && other.id !== current.id)
      throw new ValidationError({ name: `Ya existe la región ${other.name}.` });
    await regions.update(current.id, { code, name: input.name }, transaction);
    return {
      result: { ...current, code, name: input.name },
      audit: {
        details: {
          before: { code: current.code, name: current.name },
          after: { code, name: input.name },
        },
      },
    };
  },
});
