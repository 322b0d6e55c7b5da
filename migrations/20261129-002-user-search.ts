import type { MigrationContext } from '../src/db/migrator';

/**
 * The administrators' user search (src/storage/queries/user-search.ts): accent- and case-insensitive
 * partial matches on name, username and cédula, filters, name order, keyset paging, at 100,000
 * users (bench/users-search.ts; measurements in bench/README.md).
 *
 * - `his_fold` is the usual immutable wrapper over `unaccent`: the extension's own function is
 *   only STABLE (it finds its dictionary through search_path), so it cannot be indexed. This one
 *   names the dictionary by OID (SQL-standard body, bound at creation), hence IMMUTABLE.
 * - The folded texts are stored generated columns, not expression indexes: a page sorts on the
 *   folded name and a trigram match rechecks each candidate row, and folding thousands of rows
 *   per query ("gonzalez") costs tens of milliseconds, a stored column almost nothing. The query
 *   names the column, so it cannot drift from the index. `sort_name` sorts in "C": the order and
 *   its index do not depend on the operating system's locale library.
 * - `establishment_ids`, `region_ids` and `role_names` copy each user's assignments and roles,
 *   kept by triggers on user_establishments, user_roles and establishments. Checked through
 *   those tables (EXISTS), a filter costs index probes for every user walked in name order, and
 *   the planner cannot tell a rare one (auditors, a small región) from a common one: 10 to 85 ms
 *   at 100,000 users. On the row, a filter costs nothing while walking, and GIN indexes with
 *   per-element statistics serve the rare ones (a small establishment, the auditors).
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
    CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

    CREATE FUNCTION his_fold(text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));

    ALTER TABLE users
      ADD COLUMN sort_name text COLLATE "C" GENERATED ALWAYS AS (his_fold(full_name)) STORED,
      ADD COLUMN search_text text
        GENERATED ALWAYS AS (his_fold(full_name || ' ' || username || ' ' || document_number)) STORED,
      ADD COLUMN establishment_ids integer[] NOT NULL DEFAULT '{}',
      ADD COLUMN region_ids integer[] NOT NULL DEFAULT '{}',
      ADD COLUMN role_names text[] NOT NULL DEFAULT '{}';

    -- Recomputes the copies of these users' assignments and roles. The rows are locked first and
    -- read in the next statement: under READ COMMITTED its snapshot then includes the changes of
    -- a concurrent transaction that held them, so two simultaneous changes cannot lose one.
    -- NO KEY UPDATE, not UPDATE: it does not conflict with the KEY SHARE lock that the foreign
    -- key check of a concurrent assignment already holds (that would be a deadlock).
    CREATE FUNCTION users_refresh_copies(user_ids integer[]) RETURNS void
      LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM users WHERE id = ANY(user_ids) ORDER BY id FOR NO KEY UPDATE;
      UPDATE users u
        SET establishment_ids = a.establishment_ids, region_ids = a.region_ids,
          role_names = a.role_names
        FROM (
          SELECT x.id,
            ARRAY(SELECT ue.establishment_id FROM user_establishments ue
                  WHERE ue.user_id = x.id ORDER BY 1) AS establishment_ids,
            ARRAY(SELECT DISTINCT e.region_id FROM user_establishments ue
                  JOIN establishments e ON e.id = ue.establishment_id
                  WHERE ue.user_id = x.id ORDER BY 1) AS region_ids,
            ARRAY(SELECT DISTINCT r.role FROM user_roles r WHERE r.user_id = x.id ORDER BY 1)
              AS role_names
          FROM unnest(user_ids) AS x(id)
        ) a
        WHERE u.id = a.id AND (u.establishment_ids, u.region_ids, u.role_names)
          IS DISTINCT FROM (a.establishment_ids, a.region_ids, a.role_names);
    END $$;

    -- One trigger function for user_establishments and user_roles (both carry user_id).
    CREATE FUNCTION users_copies_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        PERFORM users_refresh_copies(ARRAY(SELECT id FROM users));
      ELSIF TG_OP = 'INSERT' THEN
        PERFORM users_refresh_copies(ARRAY(SELECT DISTINCT user_id FROM new_rows));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM users_refresh_copies(ARRAY(SELECT DISTINCT user_id FROM old_rows));
      ELSE
        PERFORM users_refresh_copies(
          ARRAY(SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows));
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER user_establishments_copies_insert AFTER INSERT ON user_establishments
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION users_copies_changed();
    CREATE TRIGGER user_establishments_copies_update AFTER UPDATE ON user_establishments
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION users_copies_changed();
    CREATE TRIGGER user_establishments_copies_delete AFTER DELETE ON user_establishments
      REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION users_copies_changed();
    CREATE TRIGGER user_establishments_copies_truncate AFTER TRUNCATE ON user_establishments
      FOR EACH STATEMENT EXECUTE FUNCTION users_copies_changed();
    CREATE TRIGGER user_roles_copies_insert AFTER INSERT ON user_roles
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION users_copies_changed();
    CREATE TRIGGER user_roles_copies_update AFTER UPDATE ON user_roles
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION users_copies_changed();
    CREATE TRIGGER user_roles_copies_delete AFTER DELETE ON user_roles
      REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION users_copies_changed();
    CREATE TRIGGER user_roles_copies_truncate AFTER TRUNCATE ON user_roles
      FOR EACH STATEMENT EXECUTE FUNCTION users_copies_changed();

    -- An establishment moved to another region moves its users' region_ids with it.
    CREATE FUNCTION establishments_region_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM users_refresh_copies(ARRAY(
        SELECT DISTINCT ue.user_id FROM new_rows n
        JOIN old_rows o ON o.id = n.id AND o.region_id IS DISTINCT FROM n.region_id
        JOIN user_establishments ue ON ue.establishment_id = n.id));
      RETURN NULL;
    END $$;
    CREATE TRIGGER establishments_region_changed AFTER UPDATE ON establishments
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION establishments_region_changed();

    SELECT users_refresh_copies(ARRAY(SELECT id FROM users));

    -- The default order and its keyset: WHERE (sort_name, id) > ($name, $id) ORDER BY sort_name, id.
    CREATE INDEX users_sort_name_idx ON users (sort_name, id);
    -- Partial matches (LIKE '%gonz%') on the folded "full_name username document_number".
    CREATE INDEX users_search_text_trgm_idx ON users USING gin (search_text gin_trgm_ops);
    -- The filters. No index on last_eid_login_at: each badge holds a large share of the users
    -- (walking the name order finds a page quickly), and one would make every e-ID login's
    -- update of that column a non-HOT update of all the indexes.
    CREATE INDEX users_status_sort_idx ON users (status, sort_name, id);
    CREATE INDEX users_establishment_ids_idx ON users USING gin (establishment_ids);
    CREATE INDEX users_region_ids_idx ON users USING gin (region_ids);
    CREATE INDEX users_role_names_idx ON users USING gin (role_names);
  `);
}

/** Drops what up() added; the extensions only if nothing else has come to depend on them. */
export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    DROP TRIGGER IF EXISTS establishments_region_changed ON establishments;
    DROP TRIGGER IF EXISTS user_establishments_copies_insert ON user_establishments;
    DROP TRIGGER IF EXISTS user_establishments_copies_update ON user_establishments;
    DROP TRIGGER IF EXISTS user_establishments_copies_delete ON user_establishments;
    DROP TRIGGER IF EXISTS user_establishments_copies_truncate ON user_establishments;
    DROP TRIGGER IF EXISTS user_roles_copies_insert ON user_roles;
    DROP TRIGGER IF EXISTS user_roles_copies_update ON user_roles;
    DROP TRIGGER IF EXISTS user_roles_copies_delete ON user_roles;
    DROP TRIGGER IF EXISTS user_roles_copies_truncate ON user_roles;
    DROP FUNCTION IF EXISTS establishments_region_changed();
    DROP FUNCTION IF EXISTS users_copies_changed();
    DROP FUNCTION IF EXISTS users_refresh_copies(integer[]);
    ALTER TABLE users
      DROP COLUMN IF EXISTS role_names, DROP COLUMN IF EXISTS region_ids,
      DROP COLUMN IF EXISTS establishment_ids, DROP COLUMN IF EXISTS search_text,
      DROP COLUMN IF EXISTS sort_name;
    DROP FUNCTION IF EXISTS his_fold(text);
    DROP EXTENSION IF EXISTS pg_trgm;
    DROP EXTENSION IF EXISTS unaccent;
  `);
}
