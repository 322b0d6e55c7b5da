import type { Sequelize } from 'sequelize';
import { decodeCursor, encodeCursor, keyInstantSql, type HistoryKey } from './history-cursor';
import type { AuditScope, LoginFilters, HistoryPlace } from './history-types';
import { COUNT_CAP, PAGE_SIZE } from './history-types';
import { containsPattern, select, SqlParams } from '../sql';

/** One login_events row as the screen and the export show it. */
export interface LoginHistoryRow {
  id: string;
  occurredAt: Date;
  userId: number | null;
  /** What was typed at a classic login (the account's name for other events); may be null. */
  username: string | null;
  method: string;
  outcome: string;
  reason: string | null;
  establishmentId: number | null;
  establishmentName: string | null;
  regionName: string | null;
  ip: string | null;
  userAgent: string | null;
  degraded: boolean;
  /** A sign-in to an HIS module: the module's name (its client_id if it was removed). */
  moduleName: string | null;
  /** The account today (null for an unknown username). */
  accountUsername: string | null;
  /** The account's establishments today (pages only). */
  userEstablishmentIds?: number[];
  fullName: string | null;
  documentNumber: string | null;
  lastEidLoginAt: Date | null;
}

export interface LoginHistoryQuery {
  filters: LoginFilters;
  scope: AuditScope;
  /** Every establishment with its región (the región filter's establishments come from it). */
  places: HistoryPlace[];
}

export interface HistoryPage<Row> {
  rows: Row[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

/**
 * How many keys (establishments plus users, or accounts) a query may probe one by one. Below it,
 * each key's newest rows come from its own index ((establishment_id | user_id, occurred_at, id))
 * and are merged: a small health post's page costs a few probes instead of a walk through the
 * whole network's history looking for its rare rows. Above it the rows are dense enough that
 * walking the (occurred_at, id) index and filtering finds a page quickly.
 * Measured on 3 million generated rows: see migrations/20261129-003-audit-history.ts.
 */
export const PROBE_LIMIT = 64;

/** Sets of keys resolved before the query (each by one small query). */
interface Probes {
  /** Establishments whose rows the attribution reaches, with the users assigned to them. */
  attribution?: { establishmentIds: number[]; userIds: number[] };
  /** Accounts whose username contains the user filter. */
  accounts?: number[];
}

/**
 * The establishments whose rows a query may return: those in the auditor's scope and in the
 * establishment and región filters (all that apply); null when nothing restricts it.
 */
function reach(q: LoginHistoryQuery): number[] | null {
  const sets: number[][] = [];
  if (q.scope.kind === 'limited') sets.push(q.scope.establishmentIds);
  if (q.filters.establishmentId !== undefined) sets.push([q.filters.establishmentId]);
  if (q.filters.regionId !== undefined) {
    const region = q.filters.regionId;
    sets.push(q.places.filter((p) => p.regionId === region).map((p) => p.id));
  }
  if (sets.length === 0) return null;
  return sets.reduce((a, b) => a.filter((id) => b.includes(id)));
}

/**
 * Whether a row belongs to one of these establishments: its own establishment, or, for a row
 * without one (an attempt that failed before the establishment step, an e-ID verification),
 * an establishment its user is assigned to today. Attempts under an unknown username have
 * neither and belong to no establishment: only a network-wide auditor sees them.
 */
function attributedTo(p: SqlParams, establishmentIds: number[]): string {
  if (establishmentIds.length === 0) return 'false';
  const ids = p.add(establishmentIds);
  return `(le.establishment_id = ANY(${ids}::int[]) OR (le.establishment_id IS NULL AND
    le.user_id IN (SELECT ue.user_id FROM user_establishments ue
                   WHERE ue.establishment_id = ANY(${ids}::int[]))))`;
}

/**
 * Every WHERE condition, the scope among them (it applies whatever the URL asks for) unless the
 * rows come from probes that already keep to it (`reached`).
 */
function conditions(
  q: LoginHistoryQuery,
  p: SqlParams,
  opts: { after?: HistoryKey; reached?: boolean },
): string[] {
  const f = q.filters;
  const where: string[] = [];
  const establishments = reach(q);
  if (establishments && !opts.reached) where.push(attributedTo(p, establishments));
  if (f.user !== undefined) {
    // Accounts by part of their name; attempts under a name without an account, exactly as
    // typed (a partial match there would need a trigram index over the whole history).
    where.push(`(le.username = ${p.add(f.user)} OR le.user_id IN
      (SELECT id FROM users WHERE username LIKE ${p.add(containsPattern(f.user))} ESCAPE '\\'))`);
  }
  if (f.userId !== undefined) where.push(`le.user_id = ${p.add(f.userId)}`);
  if (f.document !== undefined)
    where.push(`le.user_id = (SELECT id FROM users WHERE document_number = ${p.add(f.document)})`);
  if (f.method !== undefined) where.push(`le.method = ${p.add(f.method)}`);
  if (f.outcome !== undefined) where.push(`le.outcome = ${p.add(f.outcome)}`);
  if (f.reasons !== undefined) where.push(`le.reason = ANY(${p.add([...f.reasons])}::text[])`);
  if (f.ip !== undefined) where.push(`le.ip = ${p.add(f.ip)}`);
  if (f.from !== undefined) where.push(`le.occurred_at >= ${p.add(f.from)}`);
  if (f.to !== undefined) where.push(`le.occurred_at < ${p.add(f.to)}`);
  if (opts.after)
    where.push(
      `(le.occurred_at, le.id) < (${p.add(opts.after.occurredAt)}::timestamptz, ${p.add(opts.after.id)}::bigint)`,
    );
  return where;
}

const ORDER = 'ORDER BY le.occurred_at DESC, le.id DESC';

/** The newest rows of each key, each from that key's own index (see {@link PROBE_LIMIT}). */
function probeEach(
  p: SqlParams,
  key: { column: string; values: unknown[]; type: 'int' | 'text'; extra?: string },
  where: string[],
  limit: string,
): string {
  const conds = [`le.${key.column} = k.v`, ...(key.extra ? [key.extra] : []), ...where];
  return `SELECT x.* FROM unnest(${p.add(key.values)}::${key.type}[]) AS k(v) CROSS JOIN LATERAL (
      SELECT le.* FROM login_events le WHERE ${conds.join(' AND ')} ${ORDER} ${limit}) x`;
}

/**
 * The matching login_events rows, newest first on (occurred_at, id): a page (`limit`, `after`)
 * or a whole export (neither). Small key sets are probed key by key and merged (see
 * {@link PROBE_LIMIT}); otherwise one walk of the best index with every filter.
 */
function coreSql(
  q: LoginHistoryQuery,
  probes: Probes,
  p: SqlParams,
  opts: { after?: HistoryKey; limit?: number },
): string {
  const limit = opts.limit === undefined ? '' : `LIMIT ${p.add(opts.limit)}`;
  const merged = (branches: string[]) =>
    `SELECT * FROM (${branches.join('\n      UNION ALL ')}) le ${ORDER} ${limit}`;
  if (probes.accounts && q.filters.user !== undefined) {
    const where = conditions(q, p, opts);
    const accounts = p.add(probes.accounts);
    return merged([
      probeEach(p, { column: 'user_id', values: probes.accounts, type: 'int' }, where, limit),
      // A name typed for one of these accounts is found by its user_id: not twice.
      probeEach(
        p,
        {
          column: 'username',
          values: [q.filters.user],
          type: 'text',
          extra: `NOT coalesce(le.user_id = ANY(${accounts}::int[]), false)`,
        },
        where,
        limit,
      ),
    ]);
  }
  if (probes.attribution) {
    const where = conditions(q, p, { ...opts, reached: true });
    const { establishmentIds, userIds } = probes.attribution;
    return merged([
      probeEach(
        p,
        { column: 'establishment_id', values: establishmentIds, type: 'int' },
        where,
        limit,
      ),
      probeEach(
        p,
        { column: 'user_id', values: userIds, type: 'int', extra: 'le.establishment_id IS NULL' },
        where,
        limit,
      ),
    ]);
  }
  const where = conditions(q, p, opts);
  return `SELECT le.* FROM login_events le
    ${where.length ? `WHERE ${where.join('\n      AND ')}` : ''}
    ${ORDER} ${limit}`;
}

/**
 * The SQL of a page (`limit`, `after`) or an export (neither), with the names to show. A page
 * also lists each user's establishments (whether the viewer may open their administration page).
 */
export function loginHistorySql(
  q: LoginHistoryQuery,
  probes: Probes,
  opts: { after?: HistoryKey; limit?: number } = {},
): { text: string; values: unknown[] } {
  const p = new SqlParams();
  const core = coreSql(q, probes, p, opts);
  const assignments =
    opts.limit === undefined
      ? ''
      : `, ARRAY(SELECT ue.establishment_id FROM user_establishments ue
          WHERE ue.user_id = le.user_id) AS "userEstablishmentIds"`;
  const text = `SELECT le.id::text AS id, ${keyInstantSql('le.occurred_at')} AS "keyAt",
      le.occurred_at AS "occurredAt", le.user_id AS "userId", le.username, le.method,
      le.outcome, le.reason, le.establishment_id AS "establishmentId",
      e.name AS "establishmentName", r.name AS "regionName", le.ip,
      le.user_agent AS "userAgent", le.degraded, coalesce(oc.name, le.module) AS "moduleName",
      u.username AS "accountUsername",
      u.full_name AS "fullName", u.document_number AS "documentNumber",
      u.last_eid_login_at AS "lastEidLoginAt" ${assignments}
    FROM (${core}) le
    LEFT JOIN users u ON u.id = le.user_id
    LEFT JOIN establishments e ON e.id = le.establishment_id
    LEFT JOIN regions r ON r.id = e.region_id
    LEFT JOIN oidc_clients oc ON oc.client_id = le.module
    ${ORDER}`;
  return { text, values: p.values };
}

type RawRow = LoginHistoryRow & { keyAt: string };

const toDate = (v: Date | string | null) => (v === null ? null : new Date(v));

/** A raw row (from sequelize or a pg cursor) as {@link LoginHistoryRow}. */
export const toLoginRow = ({ keyAt: _keyAt, ...row }: RawRow): LoginHistoryRow => ({
  ...row,
  occurredAt: new Date(row.occurredAt),
  lastEidLoginAt: toDate(row.lastEidLoginAt),
});

/** The auditors' login history: the key sets to probe, pages, and the export's SQL. */
export function createLoginHistory(sequelize: Sequelize) {
  const ids = async (text: string, bind: unknown[]) =>
    (await select<{ id: number }>(sequelize, text, bind)).map((r) => r.id);

  /** Resolves the small key sets worth probing one by one (none when a set is too large). */
  async function plan(q: LoginHistoryQuery): Promise<Probes> {
    const f = q.filters;
    // One user or one IP: the planner's own choice (their indexes) is right.
    if (f.userId !== undefined || f.document !== undefined || f.ip !== undefined) return {};
    if (f.user !== undefined) {
      const accounts = await ids(
        `SELECT id FROM users WHERE username LIKE $1 ESCAPE '\\' ORDER BY id LIMIT $2`,
        [containsPattern(f.user), PROBE_LIMIT],
      );
      if (accounts.length < PROBE_LIMIT) return { accounts };
    }
    const establishmentIds = reach(q);
    if (!establishmentIds || establishmentIds.length >= PROBE_LIMIT) return {};
    const userIds = await ids(
      `SELECT DISTINCT user_id AS id FROM user_establishments
       WHERE establishment_id = ANY($1::int[]) ORDER BY 1 LIMIT $2`,
      [establishmentIds, PROBE_LIMIT],
    );
    if (establishmentIds.length + userIds.length >= PROBE_LIMIT) return {};
    return { attribution: { establishmentIds, userIds } };
  }

  return {
    /** One page after `cursor` (a refused cursor throws `invalid_cursor`). */
    async page(q: LoginHistoryQuery, cursor?: string): Promise<HistoryPage<LoginHistoryRow>> {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const { text, values } = loginHistorySql(q, await plan(q), { after, limit: PAGE_SIZE + 1 });
      const rows = await select<RawRow>(sequelize, text, values);
      const page = rows.slice(0, PAGE_SIZE);
      const last = page[page.length - 1];
      return {
        rows: page.map(toLoginRow),
        nextCursor:
          rows.length > PAGE_SIZE && last
            ? encodeCursor({ occurredAt: last.keyAt, id: last.id })
            : null,
      };
    },

    /** How many rows match, counted up to `cap` (+1 to tell "more than the cap"). */
    async count(q: LoginHistoryQuery, cap = COUNT_CAP): Promise<number> {
      const p = new SqlParams();
      const core = coreSql(q, await plan(q), p, { limit: cap + 1 });
      const [row] = await select<{ n: number }>(
        sequelize,
        `SELECT count(*)::int AS n FROM (${core}) c`,
        p.values,
      );
      return row?.n ?? 0;
    },

    /** The SQL of a page (`limit`, `after`) or of the export (neither), with its values. */
    async sql(q: LoginHistoryQuery, opts: { after?: HistoryKey; limit?: number } = {}) {
      return loginHistorySql(q, await plan(q), opts);
    },
  };
}

export type LoginHistory = ReturnType<typeof createLoginHistory>;
