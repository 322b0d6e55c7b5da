import type { Transaction } from 'sequelize';
import type { Repositories } from '../../src/storage/repositories';
import type { UserRecord } from '../../src/storage/users';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import { ROLES, type Role } from '../../src/shared/roles';
import { AppError } from '../../src/shared/errors';
import { normalizeCedula } from '../../src/shared/cedula';
import { hashPassword } from '../../src/domain/passwords/hashing';
import { USERNAME_PATTERN } from '../../src/domain/users/create-user-schema';
import {
  ensureRegion,
  ESTABLISHMENT_CODE_PATTERN,
  regionCode,
} from '../../src/domain/establishments/codes';

/**
 * Test and benchmark fixtures: accounts and establishments written straight through the
 * repositories, fast and without audit rows (the application writes only through its commands;
 * these build the world a test or a bench starts from). Used by test/support/factories.ts,
 * bench/ and scripts/sqlmap-world.ts.
 */

const invalid = (message: string) => new AppError('invalid_input', 400, message);

export interface NewEstablishment {
  code: string;
  name: string;
  /** Region name; the region is created when new. */
  region: string;
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

export interface NewUser {
  username: string;
  document: string;
  name: string;
  role: string;
  /** `region:NAME` or `establishment:CODE`: limits the role; global without it. */
  scope?: string;
  establishmentCodes: string[];
  /** undefined: an e-ID-only account. An empty string is refused. */
  password?: string;
  email?: string;
  lastEidLoginAt?: Date | null;
}

/** Resolves `region:NAME` / `establishment:CODE` to the grant's columns. */
async function resolveScope(repos: Repositories, scope: string | undefined) {
  if (!scope) return { regionId: null, establishmentId: null };
  const [kind, ...rest] = scope.split(':');
  const value = rest.join(':').trim();
  if (kind === 'region' && value) {
    const region = await repos.establishments.regions.findByCode(regionCode(value));
    if (!region) throw invalid(`Región desconocida: ${value}.`);
    return { regionId: region.id, establishmentId: null };
  }
  if (kind === 'establishment' && value) {
    const establishment = await repos.establishments.findByCode(value.toUpperCase());
    if (!establishment) throw invalid(`Establecimiento desconocido: ${value}.`);
    return { regionId: null, establishmentId: establishment.id };
  }
  throw invalid(`Alcance inválido "${scope}": use region:NOMBRE o establishment:CÓDIGO.`);
}

/**
 * Creates an account with its role and establishments in one transaction (the operator's CLI
 * and the demo data): on any bad input nothing is written and the error says what to fix.
 */
export async function createUser(repos: Repositories, input: NewUser): Promise<UserRecord> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) {
    throw invalid(
      `Usuario inválido "${input.username}": use de 3 a 50 letras minúsculas, números, punto, guion o guion bajo, empezando por una letra.`,
    );
  }
  const documentNumber = normalizeCedula(input.document);
  if (!documentNumber)
    throw invalid(`Cédula inválida "${input.document}": use solo números (por ejemplo 1.234.567).`);
  const fullName = input.name.trim();
  if (fullName.length < 3) throw invalid('El nombre completo es obligatorio.');
  if (!(ROLES as readonly string[]).includes(input.role)) {
    throw invalid(`Rol inválido "${input.role}": use ${ROLES.join(', ')}.`);
  }
  if (input.password !== undefined && input.password.length === 0) {
    throw invalid(
      'La contraseña está vacía. Omita --password-stdin para crear una cuenta solo con Identidad Electrónica.',
    );
  }
  if (input.password !== undefined && input.password.length < 8) {
    throw invalid('La contraseña debe tener al menos 8 caracteres.');
  }
  const codes = [...new Set(input.establishmentCodes.map((c) => c.trim().toUpperCase()))];
  const scope = await resolveScope(repos, input.scope);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);

  return repos.transaction(async (transaction) => {
    if (await repos.users.findByUsername(username, transaction)) {
      throw invalid(`El usuario "${username}" ya existe.`);
    }
    if (await repos.users.findByDocument(documentNumber, transaction)) {
      throw invalid(`Ya existe un usuario con la cédula ${documentNumber}.`);
    }
    const establishments = codes.length
      ? await repos.establishments.findByCodes(codes, transaction)
      : [];
    const missing = codes.filter((c) => !establishments.some((e) => e.code === c));
    if (missing.length) throw invalid(`Establecimiento desconocido: ${missing.join(', ')}.`);

    const user = await repos.users.create(
      {
        username,
        documentNumber,
        fullName,
        passwordHash,
        email: input.email ?? null,
        lastEidLoginAt: input.lastEidLoginAt ?? null,
      },
      transaction,
    );
    await repos.users.addGrant(user.id, { role: input.role as Role, ...scope }, transaction);
    await repos.users.assignEstablishments(
      user.id,
      establishments.map((e) => e.id),
      transaction,
    );
    return user;
  });
}
