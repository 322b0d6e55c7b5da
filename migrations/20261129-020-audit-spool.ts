import type { MigrationContext } from '../src/db/migrator';

/**
 * How far the replay of each audit spool file has got (src/domain/audit/spool.ts). The count moves in
 * the same transaction as each row it stores, so a replay cut short — a crash, PostgreSQL gone
 * again — resumes at the next line and never stores one twice, and two instances draining the
 * same file wait for each other on this row. A file's row is deleted once the file is.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE audit_spool_batches (
      batch text PRIMARY KEY,
      lines_stored integer NOT NULL CHECK (lines_stored >= 0)
    )`);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE audit_spool_batches');
}
