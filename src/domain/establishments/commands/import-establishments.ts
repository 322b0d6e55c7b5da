import { z } from 'zod';
import { defineCommand, type CommandDeps } from '../../../access/command';
import type { IdentityCache } from '../../sessions/identity-cache';
import { ValidationError } from '../../../shared/validation';
import { applyImportPlan, planInTransaction, sha256 } from '../apply-import';
import { isApplicable, unconfirmedRegions, type NewRegion } from '../import-plan';

const schema = z.object({
  fileName: z.string().max(255).default('archivo.csv'),
  text: z.string({ error: 'Seleccione el archivo CSV.' }),
  /** The new regiones the admin confirmed, as the file names them (a form's checkboxes). */
  createRegions: z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string().max(200)).max(100),
  ),
});

/** The refusal of a file that would create regiones nobody confirmed. */
export const unconfirmedMessage = (regions: NewRegion[]): string =>
  `El archivo nombra ${regions.length === 1 ? 'una región que no existe' : 'regiones que no existen'}: ${regions
    .map((r) => `«${r.name}» (${r.lines.length === 1 ? 'línea' : 'líneas'} ${r.lines.join(', ')})`)
    .join(
      ', ',
    )}. Confirme que quiere crear${regions.length === 1 ? 'la' : 'las'}, o corrija el archivo si es un error de escritura. No se importó nada.`;

type Deps = CommandDeps & { identities: Pick<IdentityCache, 'refresh'> };

/**
 * Applies the ministry's establishment file all or nothing: planned again against the database
 * inside the transaction (the preview may be stale), refused whole when any row is wrong, one
 * admin_events row with the counts, the file name and its SHA-256. The same file again changes
 * nothing; an updated file updates by code. A región the file names that does not exist is
 * created only when confirmed (`createRegions`): a typo must not become a región.
 */
export const importEstablishments = defineCommand({
  action: 'establishments.import',
  schema,
  async load(deps: Deps, input, transaction) {
    const plan = await planInTransaction(deps.repos, input.text, transaction);
    return {
      target: plan,
      policyTarget: undefined,
      audit: {
        targetType: 'establishment_file',
        details: { fileName: input.fileName, sha256: sha256(input.text), counts: plan.counts },
      },
    };
  },
  async apply(deps, { input, target: plan, transaction }) {
    if (!isApplicable(plan)) {
      const first = plan.errors[0]!;
      throw new ValidationError({
        file: `El archivo tiene ${plan.errors.length} ${plan.errors.length === 1 ? 'error' : 'errores'} (el primero en la línea ${first.line}: ${first.message}). No se importó nada.`,
      });
    }
    const unconfirmed = unconfirmedRegions(plan, input.createRegions);
    if (unconfirmed.length) throw new ValidationError({ file: unconfirmedMessage(unconfirmed) });
    const applied = await applyImportPlan(deps.repos, plan, transaction);
    const userIds = applied.updatedIds.length
      ? await deps.repos.users.idsAssignedTo(applied.updatedIds, transaction)
      : [];
    return {
      result: { plan, userIds },
      audit: {
        regionIds: applied.regionIds,
        details: {
          fileName: input.fileName,
          sha256: sha256(input.text),
          counts: plan.counts,
          regionsCreated: applied.regionsCreated,
        },
      },
    };
  },
  async after(deps, result) {
    await deps.identities.refresh(...result.userIds);
  },
});
