import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { ValidationError } from '../../../shared/validation';
import { regionCode } from '../codes';
import { regionName } from './schema';

const schema = z.object({ name: regionName });

/** Adds a región sanitaria. Its code comes from its name, as the CSV import derives it. */
export const addRegion = defineCommand({
  action: 'regions.manage',
  audit: 'regions.create',
  schema,
  async load(_deps: CommandDeps, input) {
    return {
      target: null,
      policyTarget: undefined,
      audit: { targetType: 'region', details: { name: input.name } },
    };
  },
  async apply(deps, { input, transaction }) {
    const code = regionCode(input.name);
    const { region, created } = await deps.repos.establishments.regions.ensure(
      { code, name: input.name },
      transaction,
    );
    if (!created) throw new ValidationError({ name: `Ya existe la región ${region.name}.` });
    return {
      result: region,
      audit: {
        targetId: String(region.id),
        regionIds: [region.id],
        details: { before: null, after: { code: region.code, name: region.name } },
      },
    };
  },
});
