import type { Sequelize } from 'sequelize';
import { likeEscape, select, SqlParams } from '../sql';
import { lenientCedula } from '../../shared/cedula';
import type { Role, UserStatus } from '../../shared/roles';
import { AppError } from '../../shared/errors';

/** Whose users an administrator may list: everyone, or those assigned inside their scope. */
export type UserSearchScope =
  { kind: 'global' } | { kind: 'limited'; regionIds: number[]; establishmentIds: number[] };

/** What the administrators' users list asks for; every filter given must hold. */
export type UserSearchParams = {
  /** Name, username or cédula, in part; accents and case ignored; every word must match. */
  q?: string;
  establishmentId?: number;
  regionId?: number;
  role?: Role;
  status?: UserStatus;
  /** Only these usernames (the caller's "locked" filter, whose state lives in Redis). */
  usernames?: string[];
  /** Only temporary accounts ending in this window (after `from`, up to `to`). */
  expiring?: { from: Date; to: Date };
  /** Only people with (decided) or without (pending) a decision in this access review. */
  review?: { id: number; decided: boolean };
  scope: UserSearchScope;
  /** `nextCursor` of the previous page (of the same order); absent for the first page. */
  after?: string;
  /**
   * name (default): folded name, then id. lastLogin: last login, newest first. eid: last e-ID
   * login, newest first (the badge: verified, then stale, then never). Nulls last, ties by id.
   */
  sort?: UserSort;
  /** Rows per page: 50 by default, at most 100. */
  limit?: number;
} & (
  | { badge?: undefined; staleCutoff?: Date }
  /** verified: last e-ID login after `staleCutoff`; stale: at or before it; never: none. */
  | { badge: 'verified' | 'stale' | 'never'; staleCutoff: Date }
);

export const USER_SORTS = ['name', 'lastLogin', 'eid'] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** The column each order by time reads. */
const TIME_COLUMN = { lastLogin: 'last_login_at', eid: 'last_eid_login_at' } as const;

/** One user of the list, with what its row shows (the badge is computed from lastEidLoginAt). */
export interface UserListRow {
  id: number;
  username: string;
  fullName: string;
  documentNumber: string;
  status: UserStatus;
  lastLoginAt: Date | null;
  lastEidLoginAt: Date | null;
  /** When a temporary account ends (the first instant after its last day); null: no end. */
  validUntil: Date | null;
  createdAt: Date;
  /** Re-enabled after a disable for inactivity: its inactivity counts from here. */
  inactivityResetAt: Date | null;
  /** Assigned establishments, by name. */
  establishments: { id: number; code: string; name: string; regionId: number }[];
  /** An establishment's role carries its establishment's región too. */
  roles: { role: Role; regionId: number | null; establishmentId: number | null }[];
}

/** One page, in name order (accents and case folded), ties by id. */
export interface UserSearchPage {
  rows: UserListRow[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

/** Rows per page unless asked otherwise, and the most a page holds (larger limits are capped). */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
const MAX_QUERY_LENGTH = 100;

const invalid = (message: string) => new AppError('invalid_input', 400, message);

/**
 * A cursor we did not issue (edited, truncated, from another version). Code `invalid_cursor`,
 * status 400: the route should offer the first page again. A well-formed cursor only names a
 * position in the name order; the scope is applied to every page, so editing one reveals nothing.
 */
export const invalidCursor = () =>
  new AppError('invalid_cursor', 400, 'El enlace de la página no es válido. Vuelva a la primera.');

type SortKey = { sortName: string; id: number };
/** A position in an order by time: the instant (null: never) and the id. */
type TimeKey = { at: string | null; id: number };

const encodeCursor = (key: SortKey) =>
  Buffer.from(JSON.stringify([key.sortName, key.id])).toString('base64url');
const encodeTimeCursor = (sort: UserSort, key: TimeKey) =>
  Buffer.from(JSON.stringify([sort, key.at, key.id])).toString('base64url');

/** A cursor's decoded JSON; anything we could not have issued is the invalid-cursor error. */
function parseCursor(cursor: string): unknown {
  if (cursor.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
}

function decodeTimeCursor(cursor: string, sort: UserSort): TimeKey {
  const value = parseCursor(cursor);
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== sort) throw invalidCursor();
  const [, at, id] = value as unknown[];
  const instant = typeof at === 'string' && !Number.isNaN(Date.parse(at));
  if ((at !== null && !instant) || !Number.isSafeInteger(id) || (id as number) < 1)
    throw invalidCursor();
  return { at: at as string | null, id: id as number };
}

function decodeCursor(cursor: string): SortKey {
  const value = parseCursor(cursor);
  if (!Array.isArray(value) || value.length !== 2) throw invalidCursor();
  const [sortName, id] = value as unknown[];
  if (typeof sortName !== 'string' || !Number.isSafeInteger(id) || (id as number) < 1) {
    throw invalidCursor();
  }
  return { sortName, id: id as number };
}

/**
 * WHERE conditions, their values added to `p`. Values travel only as bind parameters ($1…); the
 * SQL text is built from fixed fragments chosen by which filters are present.
 */
function conditions(
  params: UserSearchParams,
  p: SqlParams,
): {
  where: string[];
  keyset: string | null;
  text: boolean;
} {
  const where: string[] = [];
  const q = params.q?.trim() ?? '';
  if (q.length > MAX_QUERY_LENGTH) {
    throw invalid(`La búsqueda es demasiado larga (máximo ${MAX_QUERY_LENGTH} caracteres).`);
  }
  if (q) {
    // Each word must appear somewhere in the folded "full_name username document_number".
    const words = [...new Set(q.split(/\s+/))];
    const text = words.map(
      (word) => `u.search_text LIKE '%' || his_fold(${p.add(likeEscape(word))}) || '%'`,
    );
    // "1.234.567", "01234567" or full-width digits: also the cédula's digits, as stored.
    const digits = lenientCedula(q);
    if (digits && digits !== q) {
      where.push(
        `((${text.join(' AND ')}) OR u.search_text LIKE '%' || ${p.add(digits)}::text || '%')`,
      );
    } else {
      where.push(...text);
    }
  }
  // Assignments and roles are read from their copies on the user row (migration 20261129-002):
  // overlap tests, so a user assigned twice within a scope is still one row.
  if (params.establishmentId !== undefined) {
    where.push(`u.establishment_ids && ARRAY[${p.add(positiveId(params.establishmentId))}::int]`);
  }
  if (params.regionId !== undefined) {
    where.push(`u.region_ids && ARRAY[${p.add(positiveId(params.regionId))}::int]`);
  }
  if (params.scope.kind === 'limited') {
    const inScope: string[] = [];
    if (params.scope.regionIds.length) {
      inScope.push(`u.region_ids && ${p.add(params.scope.regionIds.map(positiveId))}::int[]`);
    }
    if (params.scope.establishmentIds.length) {
      const ids = p.add(params.scope.establishmentIds.map(positiveId));
      inScope.push(`u.establishment_ids && ${ids}::int[]`);
    }
    // An empty limited scope sees nobody (search() answers before asking), never everybody.
    where.push(inScope.length ? `(${inScope.join(' OR ')})` : 'false');
  }
  if (params.role !== undefined) {
    where.push(
      `u.role_names && ARRAY[${p.add(oneOf(params.role, ['staff', 'admin', 'auditor']))}::text]`,
    );
  }
  if (params.status !== undefined) {
    where.push(`u.status = ${p.add(oneOf(params.status, ['active', 'disabled']))}`);
  }
  if (params.badge !== undefined) {
    const badge = oneOf(params.badge, ['verified', 'stale', 'never']);
    if (badge === 'never') {
      where.push('u.last_eid_login_at IS NULL');
    } else {
      if (!(params.staleCutoff instanceof Date) || Number.isNaN(params.staleCutoff.getTime())) {
        throw new TypeError('a badge filter needs staleCutoff');
      }
      where.push(
        `u.last_eid_login_at ${badge === 'verified' ? '>' : '<='} ${p.add(params.staleCutoff)}`,
      );
    }
  }
  if (params.usernames !== undefined) {
    where.push(`u.username = ANY(${p.add(params.usernames)}::text[])`);
  }
  if (params.expiring !== undefined) {
    where.push(
      `u.valid_until > ${p.add(params.expiring.from)} AND u.valid_until <= ${p.add(params.expiring.to)}`,
    );
  }
  if (params.review !== undefined) {
    where.push(
      `${params.review.decided ? '' : 'NOT '}EXISTS (SELECT 1 FROM access_review_decisions d
        WHERE d.review_id = ${p.add(positiveId(params.review.id))} AND d.user_id = u.id)`,
    );
  }
  let keyset: string | null = null;
  const sort = params.sort ?? 'name';
  if (params.after === undefined) {
    // The first page.
  } else if (sort === 'name') {
    const key = decodeCursor(params.after);
    keyset = `(u.sort_name, u.id) > (${p.add(key.sortName)}, ${p.add(key.id)})`;
  } else {
    const key = decodeTimeCursor(params.after, sort);
    keyset = `(${timeKey(sort)}, u.id) < (coalesce(${p.add(key.at)}::timestamptz, '-infinity'), ${p.add(key.id)})`;
  }
  return { where, keyset, text: q !== '' };
}

/** The expression an order by time sorts on (the indexes of migration 20261206-001). */
const timeKey = (sort: Exclude<UserSort, 'name'>) =>
  `coalesce(u.${TIME_COLUMN[sort]}, '-infinity'::timestamptz)`;

/**
 * A page in an order by time: the matches walked along that order's index. Filters that match
 * few users make the walk long; the users table is small enough (8,000 in the network) that
 * this stays within milliseconds, unlike the name order's text searches over 100,000.
 */
function timePageSql(
  sort: Exclude<UserSort, 'name'>,
  where: string[],
  keyset: string | null,
  take: string,
): string {
  const all = [...where, ...(keyset ? [keyset] : [])];
  return `SELECT u.id, u.sort_name FROM users u ${all.length ? `WHERE ${all.join(' AND ')}` : ''}
    ORDER BY ${timeKey(sort)} DESC, u.id DESC LIMIT ${take}`;
}

/** Matches of a text search gathered through the indexes before trying the name order. */
const PROBE = 1000;
/** Users walked in name order before every match is gathered through the indexes. */
const WALK = 2000;

/**
 * The ids and sort keys of the page (limit + 1 rows, to know whether another follows), with
 * bounded work whatever the filter. Unfiltered: the name index, walked. Filtered:
 * - With a text search, `probe` first gathers up to {@link PROBE} matches after the cursor
 *   through the trigram index. Fewer than that is all of them: sorted, they are the page. Most
 *   searches look for one person (a cédula, a username, a name) and end here.
 * - Otherwise (many matches, or filters only) `head` walks the name index testing each entry:
 *   the cheapest way to a page when matches are spread out (a región's users: 51 in ~1,000;
 *   "gonzalez": 51 in ~650). The index carries every column the usual filters test (migration
 *   20261206-010), so the walk is an index-only scan, ~60 users per page read and no heap visit.
 *   It is ruinous when matches are rare or bunched, and the planner assumes them spread out:
 *   left to itself it walked 36,000 users for "maria gonz" (all under "m") and 6,300 for the
 *   auditors. So the walk stops after {@link WALK} users (a walk of 5,000 cost a search for one
 *   person 2 ms more than it saved the others).
 * - When the walk did not fill the page, `tail` gathers every match after the cursor through
 *   the indexes and sorts them: fewer than 2,600 of 100,000 users if spread out (under 51 in
 *   2,000), more only if bunched. MATERIALIZED keeps the planner from turning `probe` and `tail`
 *   back into walks of its own.
 * Filters alone skip the probe: they do not follow the name order, and the list of a región
 *   (the most frequent page) matches thousands, which a probe would gather for nothing.
 */
function pageSql(where: string[], keyset: string | null, text: boolean, take: string): string {
  const filter = where.join('\n AND ');
  const after = keyset ? `${keyset} AND ` : '';
  if (!filter) {
    return `SELECT u.id, u.sort_name FROM users u ${keyset ? `WHERE ${keyset}` : ''}
      ORDER BY u.sort_name, u.id LIMIT ${take}`;
  }
  const many = text ? `(SELECT count(*) FROM probe) = ${PROBE}` : 'true';
  const probe = `probe AS MATERIALIZED (
      SELECT u.id, u.sort_name FROM users u WHERE ${after}${filter} LIMIT ${PROBE}
    ),`;
  const fromProbe = `(SELECT id, sort_name FROM probe WHERE NOT ${many}
      ORDER BY sort_name, id LIMIT ${take}) UNION ALL`;
  return `WITH ${text ? probe : ''} head AS (
      SELECT w.id, w.sort_name FROM (
        SELECT u.id, u.sort_name, (${filter}) AS hit FROM users u WHERE ${after}${many}
        ORDER BY u.sort_name, u.id LIMIT ${WALK}
      ) w
      WHERE w.hit ORDER BY w.sort_name, w.id LIMIT ${take}
    ), tail AS MATERIALIZED (
      SELECT u.id, u.sort_name FROM users u
      WHERE ${many} AND (SELECT count(*) FROM head) < ${take} AND ${after}${filter}
    )
    ${text ? fromProbe : ''}
    SELECT id, sort_name FROM head WHERE (SELECT count(*) FROM head) = ${take}
    UNION ALL
    (SELECT id, sort_name FROM tail ORDER BY sort_name, id LIMIT ${take})`;
}

function positiveId(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalid('Identificador inválido.');
  return value;
}

function oneOf<T extends string>(value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) throw invalid(`Filtro inválido "${value}".`);
  return value;
}

type PageRow = Omit<
  UserListRow,
  'lastLoginAt' | 'lastEidLoginAt' | 'validUntil' | 'createdAt' | 'inactivityResetAt'
> & {
  sortName: string;
  lastLoginAt: Date | string | null;
  lastEidLoginAt: Date | string | null;
  validUntil: Date | string | null;
  createdAt: Date | string;
  inactivityResetAt: Date | string | null;
};

const toDate = (value: Date | string | null) =>
  value === null ? null : value instanceof Date ? value : new Date(value);

/**
 * The users list of the administration: one query per page. The page is cut first
 * ({@link pageSql}) and only its rows get their establishments and roles.
 */
export function createUserSearch(sequelize: Sequelize) {
  return {
    async search(params: UserSearchParams): Promise<UserSearchPage> {
      const requested = params.limit ?? DEFAULT_PAGE_SIZE;
      if (!Number.isInteger(requested) || requested < 1)
        throw invalid('Tamaño de página inválido.');
      const limit = Math.min(requested, MAX_PAGE_SIZE);
      const p = new SqlParams();
      const { where, keyset, text } = conditions(params, p);
      const { scope, usernames } = params;
      const nobody =
        usernames?.length === 0 ||
        (scope.kind === 'limited' && !scope.regionIds.length && !scope.establishmentIds.length);
      if (nobody) return { rows: [], nextCursor: null };
      const take = p.add(limit + 1);
      const sort = params.sort ?? 'name';
      const order = sort === 'name' ? 'p.sort_name, p.id' : `${timeKey(sort)} DESC, u.id DESC`;
      const rows = await select<PageRow>(
        sequelize,
        `WITH page AS (${sort === 'name' ? pageSql(where, keyset, text, take) : timePageSql(sort, where, keyset, take)})
         SELECT u.id, u.username, u.full_name AS "fullName", u.document_number AS "documentNumber",
           u.status, u.last_login_at AS "lastLoginAt", u.last_eid_login_at AS "lastEidLoginAt",
           u.valid_until AS "validUntil", u.created_at AS "createdAt",
           u.inactivity_reset_at AS "inactivityResetAt",
           p.sort_name AS "sortName",
           coalesce((SELECT json_agg(json_build_object('id', e.id, 'code', e.code, 'name', e.name,
                         'regionId', e.region_id) ORDER BY e.name, e.id)
                     FROM establishments e WHERE e.id = ANY(u.establishment_ids)), '[]')
             AS establishments,
           coalesce((SELECT json_agg(json_build_object('role', r.role, 'regionId',
                         coalesce(r.region_id, ge.region_id), 'establishmentId', r.establishment_id)
                         ORDER BY r.role, r.id)
                     FROM user_roles r LEFT JOIN establishments ge ON ge.id = r.establishment_id
                    WHERE r.user_id = u.id), '[]') AS roles
         FROM page p JOIN users u ON u.id = p.id
         ORDER BY ${order}`,
        p.values,
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        rows: page.map(({ sortName: _sortName, ...row }) => ({
          ...row,
          lastLoginAt: toDate(row.lastLoginAt),
          lastEidLoginAt: toDate(row.lastEidLoginAt),
          validUntil: toDate(row.validUntil),
          createdAt: toDate(row.createdAt)!,
          inactivityResetAt: toDate(row.inactivityResetAt),
        })),
        nextCursor:
          rows.length > limit && last
            ? sort === 'name'
              ? encodeCursor(last)
              : encodeTimeCursor(sort, {
                  at:
                    toDate(
                      sort === 'lastLogin' ? last.lastLoginAt : last.lastEidLoginAt,
                    )?.toISOString() ?? null,
                  id: last.id,
                })
            : null,
      };
    },

    /** How many users match (the scope and filters, not the cursor), counted up to `cap` + 1. */
    async count(params: Omit<UserSearchParams, 'after'>, cap = 10_000): Promise<number> {
      const p = new SqlParams();
      const { where } = conditions({ ...params, after: undefined } as UserSearchParams, p);
      const nobody =
        params.usernames?.length === 0 ||
        (params.scope.kind === 'limited' &&
          !params.scope.regionIds.length &&
          !params.scope.establishmentIds.length);
      if (nobody) return 0;
      const [row] = await select<{ n: number }>(
        sequelize,
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM users u
           ${where.length ? `WHERE ${where.join(' AND ')}` : ''} LIMIT ${p.add(cap + 1)}) c`,
        p.values,
      );
      return row?.n ?? 0;
    },
  };
}

/** What createUserSearch builds, for the composition root and the routes' dependencies. */
export type UserSearch = ReturnType<typeof createUserSearch>;
