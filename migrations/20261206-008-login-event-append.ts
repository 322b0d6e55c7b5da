import type { MigrationContext } from '../src/db/migrator';

/**
 * One statement appends a row to the login history's hash chain: `append_login_event` takes the
 * chain's advisory lock, reads the head (a statement after the lock: under READ COMMITTED it sees
 * every row committed before the lock was granted), and inserts the row with its hash — SHA-256
 * over the previous hash, a newline and the row's fields as the JSON the app computed
 * (src/storage/audit/chain.ts, byte for byte). The lock is then held from this statement to the
 * commit: one round trip to the app instead of three (lock, head, insert, then the commit), each
 * of which the machine's other work may delay while every other login waits — a shift change
 * through several instances queued behind them (`npm run bench:burst`).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE FUNCTION append_login_event(
      p_occurred_at timestamptz, p_user_id integer, p_username text, p_method text,
      p_outcome text, p_reason text, p_establishment_id integer, p_ip text, p_user_agent text,
      p_degraded boolean, p_module text, p_fields text
    ) RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      prev text;
    BEGIN
      PERFORM pg_advisory_xact_lock(7130001);
      SELECT hash INTO prev FROM login_events ORDER BY id DESC LIMIT 1;
      IF prev IS NULL THEN
        SELECT prev_hash INTO prev FROM audit_anchors
          WHERE table_name = 'login_events' ORDER BY id DESC LIMIT 1;
      END IF;
      prev := coalesce(prev, repeat('0', 64));
      INSERT INTO login_events (occurred_at, user_id, username, method, outcome, reason,
          establishment_id, ip, user_agent, degraded, prev_hash, hash, module)
        VALUES (p_occurred_at, p_user_id, p_username, p_method, p_outcome, p_reason,
          p_establishment_id, p_ip, p_user_agent, p_degraded, prev,
          encode(sha256(convert_to(prev || E'\\n' || p_fields, 'UTF8')), 'hex'), p_module);
    END
    $fn$;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(
    'DROP FUNCTION append_login_event(timestamptz, integer, text, text, text, text, integer, text, text, boolean, text, text)',
  );
}
