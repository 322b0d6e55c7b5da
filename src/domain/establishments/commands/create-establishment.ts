import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { ValidationError } from '../../../shared/validation';
import { establishmentCode, establishmentName, regionIdField } from './schema';

const schema = z.object({
  code: establishmentCode,
  name: establishmentName,
  regionId: regionIdField,
});

/**
 * Adds one establishment to an existing región (a global admin's change: new establishments are
 * the network's business). An existing code is a per-field error, not a crash.
 */
export const createEstablishment = defineCommand({
  action: 'establishments.create',
  schema,
  async load(deps: CommandDeps, input, transaction) {
    const region = await deps.repos.establishments.regions.findById(input.regionId, transaction);
    if (!region)
      throw new ValidationError({ regionId: 'Seleccione una región sanitaria existente.' });
    return {
      target: region,
      policyTarget: undefined,
      audit: { targetType: 'establishment', details: { code: input.code }, regionIds: [region.id] },
    };
  },
  async apply(deps, { input, target: region, transaction }) {
    if (await deps.repos.establishments.findByCode(input.code, transaction)) {
      throw new ValidationError({
        code: `Ya existe un establecimiento con el código ${input.code}.`,
      });
    }
    const created = await deps.repos.establishments.create(
      { code: input.code, name: input.name, regionId: region.id },
      transaction,
    );
    return {
      result: created,
      audit: {
        targetId: String(created.id),
        details: {
          before: null,
          after: { code: created.code, name: created.name, region: region.name, active: true },
        },
      },
    };
  },
});
