import type { MigrationContext } from '../src/db/migrator';

/**
 * The administrative history's rows appended by one statement, as the login history's are
 * (20261206-008): `append_admin_event` takes the chain's advisory lock, reads the head (a
 * statement after the lock) and inserts the row with its hash — SHA-256 over the previous hash,
 * a newline and the row's fields as the JSON the app computed (src/storage/audit/chain.ts, byte
 * for byte). The command's transaction then holds the lock across one round trip to the app,
 * its commit, instead of three.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE FUNCTION append_admin_event(
      p_occurred_at timestamptz, p_actor_user_id integer, p_actor_username text, p_action text,
      p_outcome text, p_target_type text, p_target_id text, p_target_user_id integer,
      p_details jsonb, p_establishment_id integer, p_region_ids integer[], p_ip text,
      p_user_agent text, p_fields text
    ) RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      prev text;
    BEGIN
      PERFORM pg_advisory_xact_lock(7130002);
      SELECT hash INTO prev FROM admin_events ORDER BY id DESC LIMIT 1;
      IF prev IS NULL THEN
        SELECT prev_hash INTO prev FROM audit_anchors
          WHERE table_name = 'admin_events' ORDER BY id DESC LIMIT 1;
      END IF;
      prev := coalesce(prev, repeat('0', 64));
      INSERT INTO admin_events (occurred_at, actor_user_id, actor_username, action, outcome,
          target_type, target_id, target_user_id, details, establishment_id, region_ids, ip,
          user_agent, prev_hash, hash)
        VALUES (p_occurred_at, p_actor_user_id, p_actor_username, p_action, p_outcome,
          p_target_type, p_target_id, p_target_user_id, p_details, p_establishment_id,
          p_region_ids, p_ip, p_user_agent, prev,
          encode(sha256(convert_to(prev || E'\\n' || p_fields, 'UTF8')), 'hex'));
    END
    $fn$;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(
    'DROP FUNCTION append_admin_event(timestamptz, integer, text, text, text, text, text, integer, jsonb, integer, integer[], text, text, text)',
  );
}
