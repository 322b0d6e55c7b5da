import { randomBytes } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { addEstablishments, createUser } from './builders';
import { createRepositories, type Repositories } from '../../src/storage/repositories';
import type { EstablishmentRecord } from '../../src/storage/establishments';
import type { UserRecord } from '../../src/storage/users';

const unique = () => randomBytes(4).toString('hex');
/**
 * A cédula no other test of this run uses: random, because test files share the run's database
 * and module state restarts with each file.
 */
export function uniqueDocument(): string {
  return String(100_000_000 + (randomBytes(4).readUInt32BE(0) % 899_999_999));
}

const reposOf = new WeakMap<Sequelize, Repositories>();
/** The repositories of a connection (built once per connection, as the composition root does). */
export function repositoriesOf(sequelize: Sequelize): Repositories {
  let repos = reposOf.get(sequelize);
  if (!repos) reposOf.set(sequelize, (repos = createRepositories(sequelize)));
  return repos;
}

export async function makeEstablishment(
  sequelize: Sequelize,
  region = 'Central',
): Promise<EstablishmentRecord> {
  const code = `T-${unique()}`.toUpperCase();
  const [created] = await addEstablishments(repositoriesOf(sequelize), [
    { code, name: `Hospital de prueba ${code}`, region },
  ]);
  return created!;
}

export const TEST_PASSWORD = 'correct-horse-battery';

/** A user of this test only; establishments are created unless given. */
export async function makeUser(
  sequelize: Sequelize,
  opts: {
    establishments?: EstablishmentRecord[] | number;
    lastEidLoginAt?: Date | null;
    role?: 'staff' | 'admin' | 'auditor';
    /** `region:NAME` or `establishment:CODE`; global without it. */
    scope?: string;
    password?: string | null;
    document?: string;
    name?: string;
  } = {},
): Promise<{ user: UserRecord; establishments: EstablishmentRecord[]; password: string }> {
  const establishments = Array.isArray(opts.establishments)
    ? opts.establishments
    : await Promise.all(
        Array.from({ length: opts.establishments ?? 1 }, () => makeEstablishment(sequelize)),
      );
  const password = opts.password === undefined ? TEST_PASSWORD : opts.password;
  const user = await createUser(repositoriesOf(sequelize), {
    username: `u${unique()}`,
    document: opts.document ?? uniqueDocument(),
    name: opts.name ?? 'Persona de Prueba',
    role: opts.role ?? 'staff',
    scope: opts.scope,
    establishmentCodes: establishments.map((e) => e.code),
    password: password ?? undefined,
    lastEidLoginAt: opts.lastEidLoginAt ?? null,
  });
  return { user, establishments, password: password ?? '' };
}
