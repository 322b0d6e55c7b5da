import type { MigrationContext } from '../src/db/migrator';

/**
 * Every table of the design's contract. Later migrations add columns, not tables.
 * login_events and admin_events are append-only: a trigger refuses UPDATE and DELETE, and each
 * row carries the hash of the previous one (see src/storage/audit/chain.ts).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE TABLE regions (
      id serial PRIMARY KEY,
      code text NOT NULL UNIQUE,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE establishments (
      id serial PRIMARY KEY,
      code text NOT NULL UNIQUE,
      name text NOT NULL,
      region_id integer NOT NULL REFERENCES regions(id),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX establishments_region_idx ON establishments(region_id);

    CREATE TABLE users (
      id serial PRIMARY KEY,
      username text NOT NULL UNIQUE CHECK (username = lower(username)),
      document_number text NOT NULL UNIQUE CHECK (document_number ~ '^[0-9]+$'),
      full_name text NOT NULL,
      email text,
      password_hash text,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
      last_eid_login_at timestamptz,
      last_login_at timestamptz,
      last_establishment_id integer REFERENCES establishments(id),
      eid_exempt_until timestamptz,
      eid_exempt_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE user_establishments (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      establishment_id integer NOT NULL REFERENCES establishments(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, establishment_id)
    );
    CREATE INDEX user_establishments_establishment_idx ON user_establishments(establishment_id);

    CREATE TABLE user_roles (
      id serial PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('staff', 'admin', 'auditor')),
      region_id integer REFERENCES regions(id),
      establishment_id integer REFERENCES establishments(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX user_roles_unique_idx
      ON user_roles(user_id, role, coalesce(region_id, 0), coalesce(establishment_id, 0));

    CREATE TABLE eid_identities (
      id serial PRIMARY KEY,
      issuer text NOT NULL,
      subject text NOT NULL,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      last_used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (issuer, subject),
      UNIQUE (issuer, user_id)
    );

    CREATE TABLE login_events (
      id bigserial PRIMARY KEY,
      occurred_at timestamptz NOT NULL,
      user_id integer REFERENCES users(id),
      username text,
      method text NOT NULL CHECK (method IN ('classic', 'eid', 'logout', 'switch', 'session')),
      outcome text NOT NULL,
      reason text,
      establishment_id integer REFERENCES establishments(id),
      ip text,
      user_agent text,
      degraded boolean NOT NULL DEFAULT false,
      prev_hash text NOT NULL,
      hash text NOT NULL UNIQUE
    );
    CREATE INDEX login_events_occurred_idx ON login_events(occurred_at DESC);
    CREATE INDEX login_events_user_idx ON login_events(user_id, occurred_at DESC);
    CREATE INDEX login_events_username_idx ON login_events(username, occurred_at DESC);
    CREATE INDEX login_events_establishment_idx ON login_events(establishment_id, occurred_at DESC);

    CREATE TABLE admin_events (
      id bigserial PRIMARY KEY,
      occurred_at timestamptz NOT NULL,
      actor_user_id integer REFERENCES users(id),
      actor_username text,
      action text NOT NULL,
      target_user_id integer REFERENCES users(id),
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      ip text,
      prev_hash text NOT NULL,
      hash text NOT NULL UNIQUE
    );
    CREATE INDEX admin_events_occurred_idx ON admin_events(occurred_at DESC);
    CREATE INDEX admin_events_target_idx ON admin_events(target_user_id, occurred_at DESC);

    CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit tables are append-only (%)', TG_TABLE_NAME;
    END $$;
    CREATE TRIGGER login_events_append_only BEFORE UPDATE OR DELETE ON login_events
      FOR EACH ROW EXECUTE FUNCTION audit_append_only();
    CREATE TRIGGER admin_events_append_only BEFORE UPDATE OR DELETE ON admin_events
      FOR EACH ROW EXECUTE FUNCTION audit_append_only();
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TABLE IF EXISTS admin_events, login_events, eid_identities, user_roles,
      user_establishments, users, establishments, regions CASCADE;
    DROP FUNCTION IF EXISTS audit_append_only();
  `);
}
