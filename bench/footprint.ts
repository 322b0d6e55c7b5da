/**
 * What one session costs in Redis and one login event in PostgreSQL, from what the bench run left
 * (for the README's sizing): MEMORY USAGE of the open sessions' keys, their users' identity keys
 * and index sets; pg_column_size and the table + index size per row of login_events.
 */
import { Client } from 'pg';
import { createClient } from 'redis';
import { PG_ADMIN_URL, REDIS_URL } from './settings';

export interface Footprint {
  /** Median bytes of one open session's key (MEMORY USAGE, value and key). */
  sessionBytes: number;
  /** Median bytes of one identity key (one per signed-in user, shared by their sessions). */
  identityBytes: number;
  /** Median bytes per member of the per-user session index sets. */
  indexBytesPerSession: number;
  /** Median length of a session's JSON. */
  sessionJsonChars: number;
  /** Growth of login_events (table and indexes) per row over a sample added for the purpose. */
  loginEvents: { rows: number; avgRowBytes: number; tableBytes: number; indexBytes: number };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
};

/** The session id inside an express-session cookie `his.sid=s%3A<id>.<signature>`. */
const sidOf = (cookie: string) => {
  const value = /his\.sid=([^;]+)/.exec(cookie)?.[1] ?? '';
  const signed = decodeURIComponent(value).replace(/^s:/, '');
  return signed.slice(0, signed.lastIndexOf('.'));
};

/** Rows added to the scratch database's login_events to measure what each one adds. */
const SAMPLE_ROWS = 20_000;
/** What a browser on the health network's PCs sends (the bench's own clients send less). */
const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/**
 * Copies the run's own login events (every kind the bench produced, in turn) SAMPLE_ROWS times
 * with a browser's user agent and a 64-hex hash chain, and measures what the table and its
 * indexes grew by: the marginal bytes of one more login event.
 */
async function loginEventGrowth(pg: Client): Promise<Footprint['loginEvents']> {
  const size = async () => {
    const { rows } = await pg.query<{ table: string; indexes: string }>(
      `SELECT pg_table_size('login_events') AS table, pg_indexes_size('login_events') AS indexes`,
    );
    return { table: Number(rows[0]!.table), indexes: Number(rows[0]!.indexes) };
  };
  const before = await size();
  await pg.query(
    `WITH src AS (SELECT *, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total
                  FROM login_events)
     INSERT INTO login_events (occurred_at, user_id, username, method, outcome, reason,
       establishment_id, ip, user_agent, degraded, prev_hash, hash)
     SELECT now() + g.i * interval '1 ms', s.user_id, s.username, s.method, s.outcome, s.reason,
       s.establishment_id, '10.11.' || (g.i % 250) || '.' || (1 + g.i % 200), $2, s.degraded,
       md5('p' || g.i) || md5('q' || g.i), md5('h' || g.i) || md5('k' || g.i)
     FROM generate_series(1, $1::int) AS g(i) JOIN src s ON s.n = 1 + g.i % s.total`,
    [SAMPLE_ROWS, BROWSER_UA],
  );
  const after = await size();
  const { rows } = await pg.query<{ avg: number }>(
    `SELECT avg(pg_column_size(e.*))::float AS avg FROM login_events e WHERE user_agent = $1`,
    [BROWSER_UA],
  );
  return {
    rows: SAMPLE_ROWS,
    avgRowBytes: rows[0]!.avg,
    tableBytes: after.table - before.table,
    indexBytes: after.indexes - before.indexes,
  };
}

export async function footprint(runId: string, cookies: string[]): Promise<Footprint> {
  const prefix = `bench:${runId}:`;
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const pg = new Client({
    connectionString: PG_ADMIN_URL.replace(/\/postgres$/, `/his_acceso_bench_${runId}`),
  });
  await pg.connect();
  try {
    const usage = async (key: string) =>
      Number(await redis.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']));
    const sessions: number[] = [];
    const json: number[] = [];
    const identities: number[] = [];
    const index: number[] = [];
    for (const sid of new Set(cookies.map(sidOf))) {
      const raw = await redis.get(`${prefix}sess:${sid}`);
      if (!raw) continue;
      sessions.push(await usage(`${prefix}sess:${sid}`));
      json.push(raw.length);
      const userId = (JSON.parse(raw) as { auth?: { userId: number } }).auth?.userId;
      if (userId === undefined) continue;
      identities.push(await usage(`${prefix}identity:${userId}`));
      const members = await redis.sCard(`${prefix}user-sessions:${userId}`);
      if (members) index.push((await usage(`${prefix}user-sessions:${userId}`)) / members);
    }
    if (!sessions.length) throw new Error('footprint: none of the open sessions is in Redis');
    const loginEvents = await loginEventGrowth(pg);
    return {
      sessionBytes: median(sessions),
      identityBytes: median(identities),
      indexBytesPerSession: median(index),
      sessionJsonChars: median(json),
      loginEvents,
    };
  } finally {
    await Promise.allSettled([redis.quit(), pg.end()]);
  }
}
