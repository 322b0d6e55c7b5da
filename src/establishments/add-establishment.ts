import type { Sequelize, Transaction } from 'sequelize';
import { Establishment, Region } from '../db/models';
import { AppError } from '../shared/errors';

export interface NewEstablishment {
  code: string;
  name: string;
  /** Region name; the region is created when new. */
  region: string;
}

/** Establishment code after trim and upper-case: letters, digits, dot, dash, underscore; ≤ 32. */
export const ESTABLISHMENT_CODE_PATTERN = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;

const invalid = (message: string) => new AppError('invalid_input', 400, message);

/** Region code derived from its name ("Central" → "CENTRAL"), stable across imports. */
export const regionCode = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Adds one establishment (and its region when new) inside the caller's transaction. */
export async function addEstablishment(
  input: NewEstablishment,
  transaction: Transaction,
): Promise<Establishment> {
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
  if (await Establishment.findOne({ where: { code }, transaction })) {
    throw invalid(`El establecimiento ${code} ya existe.`);
  }
  const [region] = await Region.findOrCreate({
    where: { code: regionCode(regionName) },
    defaults: { code: regionCode(regionName), name: regionName },
    transaction,
  });
  return Establishment.create({ code, name, regionId: region.id }, { transaction });
}

/** Adds several establishments all-or-nothing. */
export function addEstablishments(
  sequelize: Sequelize,
  inputs: NewEstablishment[],
): Promise<Establishment[]> {
  return sequelize.transaction(async (transaction) => {
    const created: Establishment[] = [];
    for (const input of inputs) created.push(await addEstablishment(input, transaction));
    return created;
  });
}
