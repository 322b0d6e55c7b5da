/** The scratch database's content: one establishment, the bench users, the refused-login pools. */
import { hashPassword } from '../src/domain/passwords/hashing';
import type { createSequelize } from '../src/db/sequelize';
import { createMigrator } from '../src/db/migrator';
import { addEstablishments, createUser } from '../test/support/builders';
import { createRepositories } from '../src/storage/repositories';
import type { Ready } from './protocol';
import { FAILURE_WARMUP, LOGIN_RATE_CEILING, PASSWORD, PREFIX } from './settings';

type Sequelize = ReturnType<typeof createSequelize>;

/**
 * `count` accounts `<prefix>0…` in one statement each for users, roles and establishments, all
 * sharing one argon2id hash (same parameters, so the same cost to verify): thousands in a second.
 */
async function addPool(
  sequelize: Sequelize,
  pool: { prefix: string; count: number; status: 'active' | 'disabled'; firstDocument: number },
  passwordHash: string,
  establishmentId: number,
): Promise<void> {
  const replacements = { ...pool, passwordHash, establishmentId, like: `${pool.prefix}%` };
  await sequelize.query(
    `INSERT INTO users (username, document_number, full_name, password_hash, status)
     SELECT :prefix || i, (:firstDocument + i)::text, 'Persona Bench ' || :prefix || ' ' || i,
       :passwordHash, :status
     FROM generate_series(0, :count - 1) AS i`,
    { replacements },
  );
  await sequelize.query(
    `INSERT INTO user_roles (user_id, role) SELECT id, 'staff' FROM users WHERE username LIKE :like`,
    { replacements },
  );
  await sequelize.query(
    `INSERT INTO user_establishments (user_id, establishment_id)
     SELECT id, :establishmentId FROM users WHERE username LIKE :like`,
    { replacements },
  );
}

/** Migrates the (empty) scratch database and fills it; what the load side needs to know of it. */
export async function seed(
  sequelize: Sequelize,
  maxFailures: number,
  run: { userCount: number; seconds: number; connections: number },
): Promise<Pick<Ready, 'usernames' | 'establishmentId' | 'pools'>> {
  const { userCount, seconds, connections } = run;
  await createMigrator(sequelize).up();
  const repos = createRepositories(sequelize);
  const [establishment] = await addEstablishments(repos, [
    { code: 'BENCH-1', name: 'Hospital de prueba (bench)', region: 'Central' },
  ]);
  const users = await Promise.all(
    Array.from({ length: userCount }, (_, i) =>
      createUser(repos, {
        username: `bench${i}`,
        document: String(1_000_000 + i),
        name: `Persona Bench ${i}`,
        role: 'staff',
        establishmentCodes: ['BENCH-1'],
        password: PASSWORD,
      }),
    ),
  );
  // Sized so that no account of the wrong-password and disabled scenarios gets to the lockout
  // (LOCKOUT_MAX_FAILURES failures) even at LOGIN_RATE_CEILING; the locked pool is locked on
  // purpose by the load side, one account per connection.
  if (maxFailures < 2) throw new Error('the bench needs LOCKOUT_MAX_FAILURES ≥ 2');
  const attempts = connections * (FAILURE_WARMUP + 1) + seconds * LOGIN_RATE_CEILING;
  const poolSize = Math.ceil(attempts / (maxFailures - 1));
  const pools = { wrong: poolSize, locked: connections, disabled: poolSize };
  const sharedHash = await hashPassword(PASSWORD);
  await addPool(
    sequelize,
    { prefix: PREFIX.wrong, count: pools.wrong, status: 'active', firstDocument: 20_000_000 },
    sharedHash,
    establishment!.id,
  );
  await addPool(
    sequelize,
    { prefix: PREFIX.locked, count: pools.locked, status: 'active', firstDocument: 30_000_000 },
    sharedHash,
    establishment!.id,
  );
  await addPool(
    sequelize,
    {
      prefix: PREFIX.disabled,
      count: pools.disabled,
      status: 'disabled',
      firstDocument: 40_000_000,
    },
    sharedHash,
    establishment!.id,
  );
  return { usernames: users.map((u) => u.username), establishmentId: establishment!.id, pools };
}
