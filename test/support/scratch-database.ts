import { randomBytes } from 'node:crypto';
import { adminQuery, TEST_PG_ADMIN_URL } from './services';
import { createSequelize } from '../../src/db/sequelize';
import { createMigrator } from '../../src/db/migrator';

/**
 * A database of one test file's own (created and migrated now, dropped by `drop`), on the run's
 * PostgreSQL server: for what acts on every row of a table (the inactivity run, the national
 * demo) and must not touch, or be touched by, the other files' rows in the run's database.
 */
export async function scratchDatabase(
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${process.env.TEST_DATABASE_NAME ?? 'his_acceso_test'}_${label}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const sequelize = createSequelize({
    url: url.toString(),
    poolMax: 2,
    statementTimeoutInMs: 60_000,
  });
  try {
    await createMigrator(sequelize).up();
  } finally {
    await sequelize.close();
  }
  return {
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
