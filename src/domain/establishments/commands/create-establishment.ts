import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import { ValidationError } from '../../../shared/validation';
import { ensureRegion, regionCode } from '../codes';
import { establishmentCode, establishmentName, regionIdField, regionName } from './schema';

const schema = z
  .object({
    code: establishmentCode,
    name: establishmentName,
    // The screen: a región chosen from the list.
    regionId: regionIdField.optional(),
    // The CLI (`establishment:add --region NAME`): a región by name, created when new.
    regionName: regionName.optional(),
  })
  .refine((input) => (input.regionId === undefined) !== (input.regionName === undefined), {
    path: ['regionId'],
    error: 'Seleccione la región sanitaria.',
  });

/**
 * Adds one establishment (a global admin's change: new establishments are the network's
 * business). Its región is chosen from the list, or named (the CLI), in which case a new name
 * creates the región in the same transaction (the row says so). An existing code is a per-field
 * error, not a crash.
 */
export const createEstablishment = defineCommand({
  action: 'establishments.create',
  schema,
  async load(deps: CommandDeps, input, transaction) {
    const { regions } = deps.repos.establishments;
    const existing =
      input.regionId !== undefined
        ? await regions.findById(input.regionId, transaction)
        : await regions.findByCode(regionCode(input.regionName ?? ''), transaction);
    if (!existing && input.regionId !== undefined)
      throw new ValidationError({ regionId: 'Seleccione una región sanitaria existente.' });
    return {
      target: existing,
      policyTarget: undefined,
      audit: {
        targetType: 'establishment',
        details: { code: input.code },
        regionIds: existing ? [existing.id] : [],
      },
    };
  },
  async apply(deps, { input, target: existing, transaction }) {
    if (await deps.repos.establishments.findByCode(input.code, transaction)) {
      throw new ValidationError({
        code: `Ya existe un establecimiento con el código ${input.code}.`,
      });
    }
    const region =
      existing ?? (await ensureRegion(deps.repos, input.regionName ?? '', transaction));
    const created = await deps.repos.establishments.create(
      { code: input.code, name: input.name, regionId: region.id },
      transaction,
    );
    return {
      result: { ...created, regionName: region.name, regionCreated: !existing },
      audit: {
        targetId: String(created.id),
        regionIds: [region.id],
        details: {
          before: null,
          after: { code: created.code, name: created.name, region: region.name, active: true },
          ...(existing ? {} : { regionCreated: true }),
        },
      },
    };
  },
});
