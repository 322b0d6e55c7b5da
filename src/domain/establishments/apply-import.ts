import { createHash } from 'node:crypto';
import type { Transaction } from 'sequelize';
import type { Repositories } from '../../storage/repositories';
import { ensureRegion, regionCode } from './codes';
import { planEstablishmentImport, type ImportPlan } from './import-plan';

/** SHA-256 of the uploaded text, hex: the audit row names exactly which file was applied. */
export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Plans the file against the establishments as they are inside `transaction`, after blocking
 * other writers: what is then applied is exactly what was planned.
 */
export async function planInTransaction(
  repos: Repositories,
  csvText: string,
  transaction: Transaction,
): Promise<ImportPlan> {
  await repos.establishments.lockForImport(transaction);
  return planAgainst(repos, csvText, transaction);
}

/**
 * Plans the file against the stored establishments (by code, with their región's name) and
 * regiones (a región the file names that is not among them is new): the preview's and the
 * CLI's plan, and the command's inside its transaction.
 */
export async function planAgainst(
  repos: Repositories,
  csvText: string,
  transaction?: Transaction,
): Promise<ImportPlan> {
  const [establishments, regions] = await Promise.all([
    repos.establishments.listAll(transaction),
    repos.establishments.regions.listAll(transaction),
  ]);
  const regionName = new Map(regions.map((r) => [r.id, r.name]));
  const existing = establishments.map((e) => ({
    code: e.code,
    name: e.name,
    regionName: regionName.get(e.regionId) ?? '',
    active: e.active,
  }));
  return planEstablishmentImport(
    csvText,
    existing,
    regions.map((r) => r.name),
  );
}

export interface AppliedImport {
  /** Ids of the establishments created and updated. */
  createdIds: number[];
  updatedIds: number[];
  /** Regiones touched (created, or holding a created or updated establishment). */
  regionIds: number[];
  regionsCreated: number;
}

/**
 * Writes an applicable plan in the caller's transaction: missing regiones first (one per code,
 * so "ALTO PARANA" joins "Alto Paraná"), then every new establishment in one insert, then each
 * changed one (name, región, reactivation). Unchanged rows are not touched.
 */
export async function applyImportPlan(
  repos: Repositories,
  plan: ImportPlan,
  transaction: Transaction,
): Promise<AppliedImport> {
  const changing = plan.rows.filter((r) => r.action !== 'unchanged');
  const regionIdByCode = new Map<string, number>();
  let regionsCreated = 0;
  for (const row of changing) {
    const code = regionCode(row.region);
    if (regionIdByCode.has(code)) continue;
    const region = await ensureRegion(repos, row.region, transaction);
    regionIdByCode.set(code, region.id);
    if (region.created) regionsCreated++;
  }
  const regionOf = (region: string) => regionIdByCode.get(regionCode(region))!;

  const created = await repos.establishments.createMany(
    changing
      .filter((r) => r.action === 'create')
      .map((r) => ({ code: r.code, name: r.name, regionId: regionOf(r.region) })),
    transaction,
  );
  const updates = changing.filter((r) => r.action === 'update');
  const current = await repos.establishments.findByCodes(
    updates.map((r) => r.code),
    transaction,
  );
  const idOf = new Map(current.map((e) => [e.code, e.id]));
  for (const row of updates) {
    await repos.establishments.update(
      idOf.get(row.code)!,
      { name: row.name, regionId: regionOf(row.region), active: true },
      transaction,
    );
  }
  return {
    createdIds: created.map((e) => e.id),
    updatedIds: current.map((e) => e.id),
    regionIds: [...new Set([...regionIdByCode.values(), ...current.map((e) => e.regionId)])],
    regionsCreated,
  };
}
