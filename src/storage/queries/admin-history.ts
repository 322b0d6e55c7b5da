import type { Sequelize } from 'sequelize';
import { decodeCursor, encodeCursor, keyInstantSql, type HistoryKey } from './history-cursor';
import type { AuditScope, AdminFilters } from './history-types';
import { COUNT_CAP, PAGE_SIZE } from './history-types';
import { containsPattern, select, SqlParams } from '../sql';
import type { HistoryPage } from './login-history';

/** A person an admin_events row names (actor or target), as they are today. */
export interface EventPerson {
  id: number;
  username: string;
  fullName: string;
  documentNumber: string;
  lastEidLoginAt: Date | null;
}

/** One admin_events row as the screen and the export show it. */
export interface AdminHistoryRow {
  id: string;
  occurredAt: Date;
  action: string;
  outcome: 'success' | 'denied';
  /** The name recorded with the row (kept even if the account is renamed). */
  actorUsername: string | null;
  actor: EventPerson | null;
  targetType: string | null;
  targetId: string | null;
  target: EventPerson | null;
  /** Name of the establishment or región the action was about, when it was one. */
  targetPlaceName: string | null;
  details: Record<string, unknown>;
  /** The establishment the actor was working in. */
  establishmentName: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface AdminHistoryQuery {
  filters: AdminFilters;
  scope: AuditScope;
}

/** Accounts whose username contains the pattern, or who hold that cédula or id. */
const usersWhere = (column: string, condition: string) =>
  `${column} IN (SELECT id FROM users WHERE ${condition})`;

/** Every WHERE condition; the scope first (it applies whatever the URL asks for). */
function conditions(q: AdminHistoryQuery, p: SqlParams, after?: HistoryKey): string[] {
  const f = q.filters;
  const where: string[] = [];
  // admin_events rows carry the regiones of what they touched (see AuditScope).
  if (q.scope.kind === 'limited')
    where.push(
      q.scope.regionIds.length ? `ae.region_ids && ${p.add(q.scope.regionIds)}::int[]` : 'false',
    );
  if (f.user !== undefined) {
    const match = `username LIKE ${p.add(containsPattern(f.user))} ESCAPE '\\'`;
    where.push(`(ae.actor_username = ${p.add(f.user)} OR ${usersWhere('ae.actor_user_id', match)}
      OR ${usersWhere('ae.target_user_id', match)})`);
  }
  if (f.userId !== undefined) {
    const id = p.add(f.userId);
    where.push(`(ae.actor_user_id = ${id} OR ae.target_user_id = ${id})`);
  }
  if (f.document !== undefined) {
    const match = `document_number = ${p.add(f.document)}`;
    where.push(
      `(${usersWhere('ae.actor_user_id', match)} OR ${usersWhere('ae.target_user_id', match)})`,
    );
  }
  if (f.establishmentId !== undefined) {
    // Done from it, done to it, or done to someone assigned to it.
    const id = p.add(f.establishmentId);
    where.push(`(ae.establishment_id = ${id}
      OR (ae.target_type = 'establishment' AND ae.target_id = ${id}::text)
      OR ae.target_user_id IN (SELECT user_id FROM user_establishments WHERE establishment_id = ${id}))`);
  }
  if (f.regionId !== undefined) where.push(`ae.region_ids && ARRAY[${p.add(f.regionId)}::int]`);
  if (f.action !== undefined) where.push(`ae.action = ${p.add(f.action)}`);
  if (f.outcome !== undefined) where.push(`ae.outcome = ${p.add(f.outcome)}`);
  if (f.ip !== undefined) where.push(`ae.ip = ${p.add(f.ip)}`);
  if (f.from !== undefined) where.push(`ae.occurred_at >= ${p.add(f.from)}`);
  if (f.to !== undefined) where.push(`ae.occurred_at < ${p.add(f.to)}`);
  if (after)
    where.push(
      `(ae.occurred_at, ae.id) < (${p.add(after.occurredAt)}::timestamptz, ${p.add(after.id)}::bigint)`,
    );
  return where;
}

/** The id of the establishment or región a row's target names (target_id is text). */
const placeId = (type: string) =>
  `CASE WHEN ae.target_type = '${type}' AND ae.target_id ~ '^[0-9]{1,9}$'
     THEN ae.target_id::int END`;

const person = (alias: string, name: string) =>
  `CASE WHEN ${alias}.id IS NULL THEN NULL ELSE json_build_object('id', ${alias}.id,
     'username', ${alias}.username, 'fullName', ${alias}.full_name,
     'documentNumber', ${alias}.document_number, 'lastEidLoginAt', ${alias}.last_eid_login_at)
   END AS "${name}"`;

/**
 * The administrative actions, newest first on (occurred_at, id), as one SQL text and its values:
 * a page (`limit`, `after`) or a whole export (neither). admin_events is far smaller than the
 * login history and a región holds a large share of it: one walk of the keyset index suffices.
 */
export function adminHistorySql(
  q: AdminHistoryQuery,
  opts: { after?: HistoryKey; limit?: number } = {},
): { text: string; values: unknown[] } {
  const p = new SqlParams();
  const where = conditions(q, p, opts.after);
  const limit = opts.limit === undefined ? '' : `LIMIT ${p.add(opts.limit)}`;
  const text = `SELECT ae.id::text AS id, ${keyInstantSql('ae.occurred_at')} AS "keyAt",
      ae.occurred_at AS "occurredAt", ae.action, ae.outcome, ae.actor_username AS "actorUsername",
      ${person('au', 'actor')}, ae.target_type AS "targetType", ae.target_id AS "targetId",
      ${person('tu', 'target')}, coalesce(te.name, tr.name) AS "targetPlaceName", ae.details,
      e.name AS "establishmentName", ae.ip, ae.user_agent AS "userAgent"
    FROM (SELECT * FROM admin_events ae
          ${where.length ? `WHERE ${where.join('\n        AND ')}` : ''}
          ORDER BY ae.occurred_at DESC, ae.id DESC ${limit}) ae
    LEFT JOIN users au ON au.id = ae.actor_user_id
    LEFT JOIN users tu ON tu.id = ae.target_user_id
    LEFT JOIN establishments e ON e.id = ae.establishment_id
    LEFT JOIN establishments te ON te.id = ${placeId('establishment')}
    LEFT JOIN regions tr ON tr.id = ${placeId('region')}
    ORDER BY ae.occurred_at DESC, ae.id DESC`;
  return { text, values: p.values };
}

type RawPerson = Omit<EventPerson, 'lastEidLoginAt'> & { lastEidLoginAt: string | null };
type RawRow = Omit<AdminHistoryRow, 'actor' | 'target'> & {
  keyAt: string;
  actor: RawPerson | null;
  target: RawPerson | null;
};

const toPerson = (raw: RawPerson | null): EventPerson | null =>
  raw && {
    ...raw,
    lastEidLoginAt: raw.lastEidLoginAt === null ? null : new Date(raw.lastEidLoginAt),
  };

/** A raw row (from sequelize or a pg cursor) as {@link AdminHistoryRow}. */
export const toAdminRow = ({ keyAt: _keyAt, ...row }: RawRow): AdminHistoryRow => ({
  ...row,
  occurredAt: new Date(row.occurredAt),
  actor: toPerson(row.actor),
  target: toPerson(row.target),
});

/** The auditors' view of admin_events: pages of {@link PAGE_SIZE} rows, newest first. */
export function createAdminHistory(sequelize: Sequelize) {
  return {
    /** One page after `cursor` (a refused cursor throws `invalid_cursor`). */
    async page(q: AdminHistoryQuery, cursor?: string): Promise<HistoryPage<AdminHistoryRow>> {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const { text, values } = adminHistorySql(q, { after, limit: PAGE_SIZE + 1 });
      const rows = await select<RawRow>(sequelize, text, values);
      const page = rows.slice(0, PAGE_SIZE);
      const last = page[page.length - 1];
      return {
        rows: page.map(toAdminRow),
        nextCursor:
          rows.length > PAGE_SIZE && last
            ? encodeCursor({ occurredAt: last.keyAt, id: last.id })
            : null,
      };
    },

    /** The SQL of the export: every row the filters and scope reach, newest first. */
    /** How many rows match, counted up to `cap` (+1 to tell "more than the cap"). */
    async count(q: AdminHistoryQuery, cap = COUNT_CAP): Promise<number> {
      const p = new SqlParams();
      const where = conditions(q, p);
      const [row] = await select<{ n: number }>(
        sequelize,
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM admin_events ae
          ${where.length ? `WHERE ${where.join(' AND ')}` : ''} LIMIT ${p.add(cap + 1)}) c`,
        p.values,
      );
      return row?.n ?? 0;
    },

    async sql(q: AdminHistoryQuery) {
      return adminHistorySql(q);
    },
  };
}

export type AdminHistory = ReturnType<typeof createAdminHistory>;
