/**
 * The data of `npm run bench:audit` (bench/audit-history.ts): the network's shape (18 regiones,
 * 934 establishments, ~8,000 users) and years of login history, generated in PostgreSQL by
 * INSERT … SELECT generate_series. Every value is a deterministic hash of the row number, so
 * two runs hold the same rows.
 *
 * The hash chain is NOT real: prev_hash and hash hold unique placeholders (computing 5 million
 * SHA-256 links would take longer than the whole run, and verification is not what is measured
 * here). `audit:verify` on this database reports the chain broken at its first row.
 */
import type { Client } from 'pg';

/** The data's "now": fixed, so that every run has the same dates. */
export const NOW = new Date('2026-11-29T12:00:00-03:00');
export const REGIONS = 18;
export const ESTABLISHMENTS = 934;
export const HISTORY_DAYS = 3 * 365;

const REGION_NAMES = ['Concepción', 'San Pedro', 'Cordillera', 'Guairá', 'Caaguazú', 'Caazapá']
  .concat(['Itapúa', 'Misiones', 'Paraguarí', 'Alto Paraná', 'Central', 'Ñeembucú', 'Amambay'])
  .concat(['Canindeyú', 'Presidente Hayes', 'Boquerón', 'Alto Paraguay', 'Capital']);
const FIRST = ['María', 'José', 'Juan', 'Carlos', 'Ana', 'Rosa', 'Luis', 'Jorge', 'Mirta'].concat([
  'Nélida',
  'Ramón',
  'Sebastián',
  'Fátima',
  'Liz',
  'Rocío',
  'Celso',
  'Derlis',
]);
const SURNAMES = ['González', 'González', 'Benítez', 'Martínez', 'López', 'Giménez', 'Báez'].concat(
  ['Duarte', 'Vera', 'Ramírez', 'Rojas', 'Villalba', 'Acosta', 'Cáceres', 'Ortiz'],
);
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Linux; Android 14; SM-A155M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
];

/** A deterministic non-negative pseudo-random integer per (row, salt), in SQL. */
const h = (salt: number) => `(hashint8(i * 31 + ${salt}) & 2147483647)`;
/** The same as a fraction in [0, 1). */
const u = (salt: number) => `(${h(salt)}::float8 / 2147483648)`;

/**
 * What each event is, by a number k in [0, 1000): about 90 % successes and session events, 10 %
 * failures with the reasons a real network sees most. One row per k, so the load joins on k.
 */
const KINDS = `SELECT n AS k, v.method, v.outcome, v.reason, v.has_user, v.has_est
  FROM generate_series(0, 999) AS n JOIN (VALUES
    (0, 400, 'classic', 'success', 'login', true, true),
    (400, 550, 'eid', 'success', 'login', true, true),
    (550, 620, 'eid', 'success', 'eid_verified', true, false),
    (620, 760, 'logout', 'success', 'logout', true, true),
    (760, 830, 'session', 'info', 'idle_timeout', true, true),
    (830, 850, 'session', 'info', 'absolute_timeout', true, true),
    (850, 900, 'switch', 'success', 'establishment_switch', true, true),
    (900, 950, 'classic', 'failure', 'bad_password', true, false),
    (950, 970, 'classic', 'failure', 'unknown_user', false, false),
    (970, 980, 'classic', 'failure', 'account_locked', true, false),
    (980, 990, 'classic', 'failure', 'eid_reauth_expired', true, false),
    (990, 995, 'eid', 'failure', 'eid_cancelled', true, false),
    (995, 1000, 'eid', 'failure', 'eid_timeout', true, false)
  ) AS v(lo, hi, method, outcome, reason, has_user, has_est) ON n >= v.lo AND n < v.hi`;

async function seedPlaces(pg: Client, userCount: number): Promise<void> {
  await pg.query(
    `INSERT INTO regions (code, name)
     SELECT 'RS-' || lpad(i::text, 2, '0'), ($1::text[])[i] FROM generate_series(1, $2::int) AS i`,
    [REGION_NAMES, REGIONS],
  );
  // The first establishments of each región are its hospitals; most are family health units.
  await pg.query(
    `INSERT INTO establishments (code, name, region_id)
     SELECT 'E' || lpad(i::text, 4, '0'),
       (CASE WHEN i <= 54 THEN 'Hospital Regional ' WHEN i % 6 = 0 THEN 'Centro de Salud '
        ELSE 'Unidad de Salud de la Familia ' END) || r.name || ' ' || i, r.id
     FROM generate_series(1, $1::int) AS i
     JOIN regions r ON r.code = 'RS-' || lpad((1 + i % $2::int)::text, 2, '0') ORDER BY i`,
    [ESTABLISHMENTS, REGIONS],
  );
  // Users crowd into the hospitals (low ids): u² skews the establishment towards them.
  await pg.query(
    `INSERT INTO users (username, document_number, full_name, status, last_eid_login_at)
     SELECT regexp_replace(his_fold(left(f, 1) || s), '[^a-z]', '', 'g') || i,
       (1000000 + i * 67)::text, f || ' ' || s,
       CASE WHEN ${h(5)} % 25 = 0 THEN 'disabled' ELSE 'active' END,
       CASE WHEN ${h(6)} % 10 < 3 THEN NULL
         ELSE $4::timestamptz - ${h(7)} % (300 * 1440) * interval '1 minute' END
     FROM (SELECT i, ($1::text[])[1 + ${h(1)} % array_length($1::text[], 1)] AS f,
             ($2::text[])[1 + ${h(2)} % array_length($2::text[], 1)] AS s
           FROM generate_series(1, $3::int) AS i) n`,
    [FIRST, SURNAMES, userCount, NOW],
  );
  // One establishment each, a second one (same región) for 15 %.
  await pg.query(
    `INSERT INTO user_establishments (user_id, establishment_id)
     SELECT DISTINCT i, e FROM generate_series(1, $1::int) AS i,
       LATERAL (SELECT 1 + floor(${u(11)} ^ 2 * $2)::int AS first) f,
       LATERAL unnest(CASE WHEN ${h(12)} % 100 < 15
         THEN ARRAY[f.first, 1 + (f.first - 1 + $3::int * (1 + ${h(13)} % 20)) % $2::int]
         ELSE ARRAY[f.first] END) AS e`,
    [userCount, ESTABLISHMENTS, REGIONS],
  );
  await pg.query(
    `INSERT INTO user_roles (user_id, role)
     SELECT id, CASE WHEN id % 100 = 0 THEN 'admin' WHEN id % 100 = 1 THEN 'auditor' ELSE 'staff' END
     FROM users`,
  );
}

/** Drops login_events' secondary indexes and constraints; returns what recreates them. */
async function dropIndexes(pg: Client): Promise<string[]> {
  const { rows: constraints } = await pg.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = 'login_events'::regclass AND contype = 'u'`,
  );
  const { rows: indexes } = await pg.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
     WHERE i.tablename = 'login_events' AND i.indexname <> 'login_events_pkey'
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const c of constraints) await pg.query(`ALTER TABLE login_events DROP CONSTRAINT ${c.name}`);
  for (const i of indexes) await pg.query(`DROP INDEX ${i.name}`);
  return [
    ...constraints.map((c) => `ALTER TABLE login_events ADD CONSTRAINT ${c.name} ${c.def}`),
    ...indexes.map((i) => i.def),
  ];
}

/**
 * `count` login events over the last three years, in time order (as the table grows), at the
 * shift changes (07:00, 13:00, 19:00: 60 % within an hour of one) or anywhere from 06:00 to
 * 22:00. The migrations' indexes on login_events (whatever they are when the bench runs) are
 * dropped during the load and rebuilt after it: the usual bulk-load order, minutes faster.
 */
export async function seedHistory(pg: Client, userCount: number, count: number): Promise<void> {
  await seedPlaces(pg, userCount);
  await pg.query(`SET maintenance_work_mem = '256MB'`);
  await pg.query(`SET work_mem = '256MB'`);
  const rebuild = await dropIndexes(pg);
  // Unknown usernames are a known one with a typo; the IP is the establishment's network.
  await pg.query(
    `WITH kinds AS (${KINDS})
     INSERT INTO login_events (occurred_at, user_id, username, method, outcome, reason,
       establishment_id, ip, user_agent, degraded, prev_hash, hash)
     SELECT x.at, CASE WHEN k.has_user THEN x.uid END,
       CASE WHEN k.has_user THEN x.username ELSE 'x' || x.username END,
       k.method, k.outcome, k.reason, CASE WHEN k.has_est THEN x.est END,
       '10.' || e.region_id || '.' || (x.est % 250) || '.' || (1 + x.uid % 250),
       ($4::text[])[1 + x.i % 4], false,
       lpad(to_hex(x.i - 1), 64, '0'), lpad(to_hex(x.i), 64, '0')
     FROM (
       SELECT g.i, g.uid, g.k, us.username,
         us.establishment_ids[1 + g.i % greatest(cardinality(us.establishment_ids), 1)] AS est,
         (($3::date - 1 - g.day)::timestamp AT TIME ZONE 'America/Asuncion')
           + g.minute * interval '1 minute' + g.micros * interval '1 microsecond' AS at
       FROM (
         SELECT i, 1 + floor(${u(21)} ^ 1.3 * $2)::int AS uid, ${h(22)} % ${HISTORY_DAYS} AS day,
           ${h(23)} % 1000 AS k, ${h(24)} % 60000000 AS micros,
           CASE WHEN ${h(25)} % 10 < 6
             THEN (ARRAY[420, 780, 1140])[1 + ${h(26)} % 3] + ${h(27)} % 61 + ${h(28)} % 61 - 60
             ELSE 360 + ${h(29)} % 960 END AS minute
         FROM generate_series(1, $1::int) AS i) g
       JOIN users us ON us.id = g.uid
     ) x
     JOIN kinds k ON k.k = x.k
     JOIN establishments e ON e.id = x.est
     ORDER BY x.at`,
    [count, userCount, NOW.toISOString().slice(0, 10), USER_AGENTS],
  );
  for (const sql of rebuild) await pg.query(sql);
  await pg.query('VACUUM ANALYZE');
}
