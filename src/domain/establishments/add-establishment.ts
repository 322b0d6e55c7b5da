import type { Transaction } from 'sequelize';
import type { Repositories } from '../../storage/repositories';
import type { EstablishmentRecord } from '../../storage/establishments';
import { AppError } from '../../shared/errors';

export interface NewEstablishment {
  code: string;
  name: string;
  /** Region name; the region is created when new. */
  region: string;
}

const invalid = (message: string) => new AppError('invalid_input', 400, message);

export const ESTABLISHMENT_CODE_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;

/** Region code derived from its name ("Central" → "CENTRAL"), stable across imports. */
export const regionCode = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The región of that name, created when new. */
export async function ensureRegion(
  repos: Repositories,
  name: string,
  transaction: Transaction,
): Promise<{ id: number; created: boolean }> {
  const { region, created } = await repos.establishments.regions.ensure(
    { code: regionCode(name), name: name.trim() },
    transaction,
  );
  return { id: region.id, created };
}

/** Adds one establishment (and its region when new) inside the caller's transaction. */
export async function addEstablishment(
  repos: Repositories,
  input: NewEstablishment,
  transaction: Transaction,
): Promise<EstablishmentRecord> {
  const code = input.code.trim().toUpperCase();
  const name = input.name.trim();
  const regionName = input.region.trim();
  if (!ESTABLISHMENT_CODE_PATTERN.test(code)) {
    throw invalid(
      `Código de establecimiento inválido "${input.code}": use letras, números, punto o guion (hasta 32).`,
    );
  }
  if (name.length < 3) throw invalid(`El nombre del establecimiento ${code} es obligatorio.`);
  if (regionName.length < 2) throw invalid(`La región del establecimiento ${code} es obligatoria.`);
  if (await repos.establishments.findByCode(code, transaction)) {
    throw invalid(`El establecimiento ${code} ya existe.`);
  }
  const region = await ensureRegion(repos, regionName, transaction);
  return repos.establishments.create({ code, name, regionId: region.id }, transaction);
}

/** Adds several establishments all-or-nothing. */
export function addEstablishments(
  repos: Repositories,
  inputs: NewEstablishment[],
): Promise<EstablishmentRecord[]> {
  return repos.transaction(async (transaction) => {
    const created: EstablishmentRecord[] = [];
    for (const input of inputs) created.push(await addEstablishment(repos, input, transaction));
    return created;
  });
}
