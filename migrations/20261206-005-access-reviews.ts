import type { MigrationContext } from '../src/db/migrator';

/**
 * Periodic access reviews (src/domain/reviews): a review opened by a global admin with a last
 * day, and one decision per person — confirmed (or confirmed after changes) by an administrator
 * of their scope, or left unreviewed when the review closed. A decision keeps what the person's
 * access was at that moment (establishments, roles, regiones), so the result reads the same
 * years later whatever changed since. One review is open at a time.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE access_reviews (
      id serial PRIMARY KEY,
      title text NOT NULL,
      last_day date NOT NULL,
      suspend_unreviewed boolean NOT NULL DEFAULT false,
      opened_at timestamptz NOT NULL,
      opened_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
      opened_by_username text NOT NULL,
      closed_at timestamptz,
      closed_by_username text
    )`);
  await sequelize.query(
    'CREATE UNIQUE INDEX access_reviews_one_open ON access_reviews ((true)) WHERE closed_at IS NULL',
  );
  await sequelize.query(`
    CREATE TABLE access_review_decisions (
      review_id integer NOT NULL REFERENCES access_reviews (id) ON DELETE CASCADE,
      user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      decision text NOT NULL CHECK (decision IN ('confirmed', 'changed', 'unreviewed')),
      decided_at timestamptz NOT NULL,
      decided_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
      decided_by_username text NOT NULL,
      region_ids integer[] NOT NULL DEFAULT '{}',
      establishments text[] NOT NULL DEFAULT '{}',
      roles text[] NOT NULL DEFAULT '{}',
      suspended_roles text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (review_id, user_id)
    )`);
  await sequelize.query(
    'CREATE INDEX access_review_decisions_user ON access_review_decisions (user_id, decided_at DESC)',
  );
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query('DROP TABLE access_review_decisions');
  await sequelize.query('DROP TABLE access_reviews');
}
