import { randomBytes } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { Establishment, User } from '../../src/db/models';
import { addEstablishments } from '../../src/establishments/add-establishment';
import { createUser } from '../../src/users/create-user';

const unique = () => randomBytes(4).toString('hex');
/**
 * A cédula no other test of this run uses: random, because test files share the run's database
 * and module state restarts with each file.
 */
export function uniqueDocument(): string {
  return String(100_000_000 + (randomBytes(4).readUInt32BE(0) % 899_999_999));
}

export async function makeEstablishment(
  sequelize: Sequelize,
  region = 'Central',
): Promise<Establishment> {
  const code = `T-${unique()}`.toUpperCase();
  const [created] = await addEstablishments(sequelize, [
    { code, name: `Hospital de prueba ${code}`, region },
  ]);
  return created!;
}

export const TEST_PASSWORD = 'correct-horse-battery';

/** A user of this test only; establishments are created unless given. */
export async function makeUser(
  sequelize: Sequelize,
  opts: {
    establishments?: Establishment[] | number;
    lastEidLoginAt?: Date | null;
    role?: 'staff' | 'admin' | 'auditor';
    password?: string | null;
    document?: string;
  } = {},
): Promise<{ user: User; establishments: Establishment[]; password: string }> {
  const establishments = Array.isArray(opts.establishments)
    ? opts.establishments
    : await Promise.all(
        Array.from({ length: opts.establishments ?? 1 }, () => makeEstablishment(sequelize)),
      );
  const password = opts.password === undefined ? TEST_PASSWORD : opts.password;
  const user = await createUser(sequelize, {
    username: `u${unique()}`,
    document: opts.document ?? uniqueDocument(),
    name: 'Persona de Prueba',
    role: opts.role ?? 'staff',
    establishmentCodes: establishments.map((e) => e.code),
    password: password ?? undefined,
    lastEidLoginAt: opts.lastEidLoginAt ?? null,
  });
  return { user, establishments, password: password ?? '' };
}
