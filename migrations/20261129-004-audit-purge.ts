import type { MigrationContext } from '../src/db/migrator';

/**
 * Retention (`npm run cli -- audit:purge --before YYYY-MM-DD`, src/domain/audit/purge.ts): the one
 * deliberate exception to the append-only audit tables.
 *
 * - `audit_anchors` records where each chain continues after a purge: the first id that may
 *   remain and the hash its row must carry as prev_hash (the last removed row's hash). Without
 *   it the first remaining row would point at nothing and `audit:verify` would call the chain
 *   broken. The table is itself append-only.
 * - `audit_append_only()` keeps refusing UPDATE and TRUNCATE, and refuses DELETE unless the
 *   transaction has both set `his.audit_purge = 'on'` (SET LOCAL) and written an anchor for that
 *   table, in that same transaction, that covers the row: its id is below the anchor's first_id
 *   and it occurred before the anchor's cutoff. A stray DELETE, from the application or a
 *   console, is still refused; a purge cannot remove rows without leaving its anchor behind.
 *   The trigger names stay as they were (operators and tests disable them by name).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE audit_anchors (
      id bigserial PRIMARY KEY,
      table_name text NOT NULL CHECK (table_name IN ('login_events', 'admin_events')),
      first_id bigint NOT NULL,
      prev_hash text NOT NULL,
      purged_before timestamptz NOT NULL,
      purged_at timestamptz NOT NULL,
      rows_removed bigint NOT NULL CHECK (rows_removed >= 0),
      -- The purging transaction: its DELETEs are allowed by this row and no other's.
      xact xid8 NOT NULL DEFAULT pg_current_xact_id()
    );
    CREATE INDEX audit_anchors_table_idx ON audit_anchors (table_name, id DESC);

    CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Nested IFs: OLD.occurred_at exists only on the two chained tables, and SQL does not
      -- promise to evaluate AND from left to right.
      IF TG_OP = 'DELETE' AND TG_TABLE_NAME IN ('login_events', 'admin_events')
         AND current_setting('his.audit_purge', true) = 'on' THEN
        IF EXISTS (SELECT 1 FROM audit_anchors a
                   WHERE a.table_name = TG_TABLE_NAME AND a.xact = pg_current_xact_id()
                     AND OLD.id < a.first_id AND OLD.occurred_at < a.purged_before) THEN
          RETURN OLD;
        END IF;
      END IF;
      RAISE EXCEPTION 'audit tables are append-only (%)', TG_TABLE_NAME;
    END $$;

    CREATE TRIGGER audit_anchors_append_only BEFORE UPDATE OR DELETE ON audit_anchors
      FOR EACH ROW EXECUTE FUNCTION audit_append_only();
    CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors
      FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit tables are append-only (%)', TG_TABLE_NAME;
    END $$;
    DROP TABLE IF EXISTS audit_anchors;
  `);
}
