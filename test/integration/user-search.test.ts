import { randomBytes, randomInt } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../../src/db/sequelize';
import { formatCedula } from '../../src/shared/cedula';
import {
  createUserSearch,
  type UserListRow,
  type UserSearch,
  type UserSearchParams,
} from '../../src/storage/queries/user-search';

/**
 * The administrators' user search against the run's real database. Other test files share it,
 * so this file creates its own regions, establishments and users (unique codes, usernames and
 * cédulas) and every search is limited to its own regions.
 */
const tag = randomBytes(4).toString('hex');
const cutoff = new Date('2026-08-29T15:00:00Z');
const recent = new Date('2026-11-01T12:00:00Z');
const old = new Date('2026-05-01T12:00:00Z');

let db: Sequelize;
let users: UserSearch;
const region: Record<'r1' | 'r2' | 'r3', number> = { r1: 0, r2: 0, r3: 0 };
const est: Record<'zeta' | 'alfa' | 'b1' | 'paging', { id: number; code: string; name: string }> =
  {} as never;
const id: Record<string, number> = {};
const doc: Record<string, string> = {};

async function insert(sql: string, bind: Record<string, unknown>): Promise<number> {
  const rows = await db.query<{ id: number }>(`${sql} RETURNING id`, {
    bind,
    type: QueryTypes.SELECT,
  });
  return rows[0]!.id;
}

const addRegion = (name: string) =>
  insert('INSERT INTO regions (code, name) VALUES ($code, $name)', {
    code: `TS-${name}-${tag}`.toUpperCase(),
    name: `${name} ${tag}`,
  });

async function addEstablishment(regionId: number, name: string) {
  const code = `TS-${name.slice(0, 4)}-${tag}`.toUpperCase();
  const row = { code, name: `${name} ${tag}` };
  return {
    id: await insert(
      'INSERT INTO establishments (code, name, region_id) VALUES ($code, $name, $regionId)',
      { ...row, regionId },
    ),
    ...row,
  };
}

async function addUser(
  key: string,
  u: {
    name: string;
    username?: string;
    establishments: number[];
    role?: 'staff' | 'admin' | 'auditor';
    roleRegionId?: number;
    status?: 'active' | 'disabled';
    lastEid?: Date;
    lastLogin?: Date;
  },
): Promise<void> {
  doc[key] = String(100_000_000 + randomInt(899_999_999));
  id[key] = await insert(
    `INSERT INTO users (username, document_number, full_name, status, last_eid_login_at, last_login_at)
     VALUES ($username, $document, $name, $status, $lastEid, $lastLogin)`,
    {
      username: u.username ?? `${key}${tag}`,
      document: doc[key],
      name: u.name,
      status: u.status ?? 'active',
      lastEid: u.lastEid ?? null,
      lastLogin: u.lastLogin ?? null,
    },
  );
  await db.query(
    `INSERT INTO user_roles (user_id, role, region_id) VALUES ($userId, $role, $regionId)`,
    { bind: { userId: id[key], role: u.role ?? 'staff', regionId: u.roleRegionId ?? null } },
  );
  await db.query(
    `INSERT INTO user_establishments (user_id, establishment_id)
     SELECT $userId, unnest($establishments::int[])`,
    { bind: { userId: id[key], establishments: u.establishments } },
  );
}

/** Every search of this file sees only its own regions. */
const mine = () => ({
  kind: 'limited' as const,
  regionIds: [region.r1, region.r2, region.r3],
  establishmentIds: [],
});
const find = async (params: Partial<UserSearchParams>): Promise<UserListRow[]> =>
  (await users.search({ scope: mine(), ...params } as UserSearchParams)).rows;
const keys = (rows: UserListRow[]) =>
  rows.map((r) => Object.keys(id).find((k) => id[k] === r.id) ?? `other:${r.id}`).sort();
const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  db = createSequelize({
    url: process.env.TEST_DATABASE_URL!,
    poolMax: 4,
    statementTimeoutInMs: 10_000,
  });
  users = createUserSearch(db);
  region.r1 = await addRegion('Uno');
  region.r2 = await addRegion('Dos');
  region.r3 = await addRegion('Tres');
  est.zeta = await addEstablishment(region.r1, 'Zeta Hospital');
  est.alfa = await addEstablishment(region.r1, 'Alfa Centro');
  est.b1 = await addEstablishment(region.r2, 'Beta Unidad');
  est.paging = await addEstablishment(region.r3, 'Paginas USF');
  await addUser('gonzalez', {
    name: 'María José González Benítez',
    username: `mgonzalez${tag}`,
    establishments: [est.zeta.id, est.alfa.id],
    lastEid: recent,
    lastLogin: recent,
  });
  await addUser('pena', {
    name: 'Juan Peña Cáceres',
    username: `jpena${tag}`,
    establishments: [est.alfa.id],
    role: 'admin',
    roleRegionId: region.r1,
    status: 'disabled',
    lastEid: old,
  });
  await addUser('exact', {
    name: 'Lucía Corte Exacto',
    establishments: [est.zeta.id],
    lastEid: cutoff,
  });
  await addUser('gonzales', {
    name: 'Ana Gonzales Vera',
    establishments: [est.b1.id],
    role: 'auditor',
  });
  await addUser('both', {
    name: 'Rosa Ortiz Núñez',
    establishments: [est.zeta.id, est.b1.id],
    lastEid: recent,
  });
  await addUser('percent', {
    name: 'Ramón 100% Ruiz',
    username: `r_ruiz${tag}`,
    establishments: [est.b1.id],
    lastEid: recent,
  });
  // 120 namesakes: only the id tells them apart in the name order.
  await db.query(
    `INSERT INTO users (username, document_number, full_name)
     SELECT 'same' || $tag || i, (2000000000 + i * 7 + $offset)::text, 'Nombre Repetido Idéntico'
     FROM generate_series(1, 120) AS i`,
    { bind: { tag, offset: randomInt(100_000_000) } },
  );
  await db.query(
    `INSERT INTO user_establishments (user_id, establishment_id)
     SELECT id, $establishmentId FROM users WHERE username LIKE $like`,
    { bind: { establishmentId: est.paging.id, like: `same${tag}%` } },
  );
});

afterAll(() => db.close());

describe('searching by name, username and cédula', () => {
  test('when the query has no accents or capitals then it finds names written with them', async () => {
    expect(keys(await find({ q: 'gonzalez' }))).toEqual(['gonzalez']);
    expect(keys(await find({ q: 'GONZÁLEZ' }))).toEqual(['gonzalez']);
    expect(keys(await find({ q: 'pena' }))).toEqual(['pena']);
    expect(keys(await find({ q: 'Peña' }))).toEqual(['pena']);
  });

  test('when the query has several words then each must appear, in any order', async () => {
    expect(keys(await find({ q: 'benitez maria' }))).toEqual(['gonzalez']);
    expect(keys(await find({ q: 'maria vera' }))).toEqual([]);
  });

  test('when the query is part of a name then every name containing it matches', async () => {
    expect(keys(await find({ q: 'gonz' }))).toEqual(['gonzales', 'gonzalez']);
  });

  test('when the query is a cédula written with dots then it finds that document', async () => {
    expect(keys(await find({ q: formatCedula(doc.pena!) }))).toEqual(['pena']);
    expect(keys(await find({ q: ` ${doc.pena!.slice(0, 3)}-${doc.pena!.slice(3)} ` }))).toEqual([
      'pena',
    ]);
  });

  test('when the query is part of a cédula or a username then it matches', async () => {
    expect(keys(await find({ q: doc.gonzalez!.slice(2, 6) }))).toContain('gonzalez');
    expect(keys(await find({ q: `pena${tag.slice(0, 4)}` }))).toEqual(['pena']);
  });

  test('when the query looks like SQL or holds wildcards then it is matched as text', async () => {
    await expect(find({ q: "' OR 1=1 --" })).resolves.toEqual([]);
    await expect(find({ q: "'); DROP TABLE users; --" })).resolves.toEqual([]);
    await expect(find({ q: '\\' })).resolves.toEqual([]);
    expect(keys(await find({ q: '%' }))).toEqual(['percent']);
    expect(keys(await find({ q: '_' }))).toEqual(['percent']);
    expect(keys(await find({ q: '100%' }))).toEqual(['percent']);
  });

  test('when the query is longer than 100 characters then it is refused', async () => {
    await expect(find({ q: 'a'.repeat(101) })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('filters', () => {
  test('when filtering by establishment or region then only users assigned there remain', async () => {
    expect(keys(await find({ establishmentId: est.alfa.id }))).toEqual(['gonzalez', 'pena']);
    expect(keys(await find({ regionId: region.r2 }))).toEqual(['both', 'gonzales', 'percent']);
  });

  test('when filtering by role or status then only those users remain', async () => {
    expect(keys(await find({ role: 'admin' }))).toEqual(['pena']);
    expect(keys(await find({ role: 'auditor' }))).toEqual(['gonzales']);
    expect(keys(await find({ status: 'disabled' }))).toEqual(['pena']);
  });

  test('when filtering by badge then the cutoff itself counts as stale', async () => {
    const r1 = region.r1;
    expect(keys(await find({ regionId: r1, badge: 'verified', staleCutoff: cutoff }))).toEqual([
      'both',
      'gonzalez',
    ]);
    expect(keys(await find({ regionId: r1, badge: 'stale', staleCutoff: cutoff }))).toEqual([
      'exact',
      'pena',
    ]);
    expect(keys(await find({ regionId: region.r2, badge: 'never', staleCutoff: cutoff }))).toEqual([
      'gonzales',
    ]);
  });

  test('when given usernames then only those users remain, and none for an empty list', async () => {
    const usernames = [`jpena${tag}`, `r_ruiz${tag}`, 'nobody-at-all'];
    expect(keys(await find({ usernames }))).toEqual(['pena', 'percent']);
    expect(await find({ usernames: [] })).toEqual([]);
  });

  test('when filters combine then all of them apply', async () => {
    expect(keys(await find({ q: 'gonz', regionId: region.r1 }))).toEqual(['gonzalez']);
    expect(keys(await find({ establishmentId: est.alfa.id, status: 'active' }))).toEqual([
      'gonzalez',
    ]);
  });
});

describe('rows', () => {
  test('when a user is listed then the row carries badge inputs, last login, establishments by name and roles', async () => {
    const [row] = await find({ q: 'gonzalez' });
    expect(row).toEqual({
      id: id.gonzalez,
      username: `mgonzalez${tag}`,
      fullName: 'María José González Benítez',
      documentNumber: doc.gonzalez,
      status: 'active',
      lastLoginAt: recent,
      lastEidLoginAt: recent,
      validUntil: null,
      createdAt: expect.any(Date),
      inactivityResetAt: null,
      establishments: [est.alfa, est.zeta].map((e) => ({ ...e, regionId: region.r1 })),
      roles: [{ role: 'staff', regionId: null, establishmentId: null }],
    });
    const [pena] = await find({ q: 'pena' });
    expect(pena).toMatchObject({ lastLoginAt: null, lastEidLoginAt: old, status: 'disabled' });
    expect(pena!.roles).toEqual([{ role: 'admin', regionId: region.r1, establishmentId: null }]);
  });
});

describe('scope', () => {
  const limited = (regionIds: number[], establishmentIds: number[] = []) => ({
    kind: 'limited' as const,
    regionIds,
    establishmentIds,
  });

  test('when limited to a region then users of other regions never appear', async () => {
    const { rows } = await users.search({ scope: limited([region.r1]) });
    expect(keys(rows)).toEqual(['both', 'exact', 'gonzalez', 'pena']);
    const other = await users.search({ scope: limited([region.r1]), regionId: region.r2 });
    expect(keys(other.rows)).toEqual(['both']);
  });

  test('when a user is assigned in two regions then both regions see them, once', async () => {
    expect(keys((await users.search({ scope: limited([region.r2]) })).rows)).toContain('both');
    const both = await users.search({ scope: limited([region.r1, region.r2]), q: 'ortiz' });
    expect(keys(both.rows)).toEqual(['both']);
  });

  test('when limited to establishments then only users assigned to them appear', async () => {
    const { rows } = await users.search({ scope: limited([], [est.alfa.id]) });
    expect(keys(rows)).toEqual(['gonzalez', 'pena']);
    const mixed = await users.search({ scope: limited([region.r2], [est.alfa.id]) });
    expect(keys(mixed.rows)).toEqual(['both', 'gonzales', 'gonzalez', 'pena', 'percent']);
  });

  test('when the limited scope is empty then nobody is listed', async () => {
    await expect(users.search({ scope: limited([]) })).resolves.toEqual({
      rows: [],
      nextCursor: null,
    });
  });

  test('when assignments or an establishment region change then the scope follows', async () => {
    const moved = await addEstablishment(region.r2, 'Movido');
    await addUser('mover', { name: 'Mover Traslado', establishments: [moved.id] });
    const inR1 = async () => keys((await users.search({ scope: limited([region.r1]) })).rows);
    expect(await inR1()).not.toContain('mover');
    await db.query('UPDATE establishments SET region_id = $r1 WHERE id = $id', {
      bind: { r1: region.r1, id: moved.id },
    });
    expect(await inR1()).toContain('mover');
    await db.query('DELETE FROM user_establishments WHERE user_id = $id', {
      bind: { id: id.mover },
    });
    expect(await inR1()).not.toContain('mover');
  });

  test('when a role is granted or revoked then the role filter follows', async () => {
    const auditors = async () => keys(await find({ role: 'auditor' }));
    await db.query(`INSERT INTO user_roles (user_id, role) VALUES ($id, 'auditor')`, {
      bind: { id: id.both },
    });
    expect(await auditors()).toEqual(['both', 'gonzales']);
    await db.query(`DELETE FROM user_roles WHERE user_id = $id AND role = 'auditor'`, {
      bind: { id: id.both },
    });
    expect(await auditors()).toEqual(['gonzales']);
  });

  test('when two transactions assign the same user at once then both assignments count', async () => {
    await addUser('twice', { name: 'Doble Asignación', establishments: [] });
    const assign = (establishmentId: number, transaction: import('sequelize').Transaction) =>
      db.query('INSERT INTO user_establishments (user_id, establishment_id) VALUES ($u, $e)', {
        bind: { u: id.twice, e: establishmentId },
        transaction,
      });
    const first = await db.transaction();
    const second = await db.transaction();
    await assign(est.zeta.id, first);
    const [{ pid }] = (await db.query('SELECT pg_backend_pid() AS pid', {
      type: QueryTypes.SELECT,
      transaction: first,
    })) as [{ pid: number }];
    const waiting = assign(est.b1.id, second);
    // Commit only once `second` waits for `first`: the case where a lost update could happen.
    for (let blocked = 0; !blocked;) {
      const [row] = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE $pid = ANY(pg_blocking_pids(pid))',
        { bind: { pid }, type: QueryTypes.SELECT },
      );
      blocked = row!.n;
    }
    await first.commit();
    await waiting;
    await second.commit();
    const [row] = await find({ q: 'doble asignacion' });
    expect(row!.establishments.map((e) => e.id).sort()).toEqual([est.zeta.id, est.b1.id].sort());
    expect(keys(await find({ establishmentId: est.zeta.id }))).toContain('twice');
    expect(keys(await find({ establishmentId: est.b1.id }))).toContain('twice');
  });
});

describe('keyset paging', () => {
  const samePage = (params: Partial<UserSearchParams>) =>
    users.search({ scope: mine(), establishmentId: est.paging.id, ...params } as UserSearchParams);

  test('when 120 users share one name then the pages list each exactly once, by id', async () => {
    const seen: number[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await samePage({ limit: 7, after });
      expect(page.rows.length).toBeLessThanOrEqual(7);
      seen.push(...page.rows.map((r) => r.id));
      after = page.nextCursor ?? undefined;
      pages++;
    } while (after && pages < 50);
    expect(pages).toBe(18); // 17 × 7 + 1
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  test('when no limit is given then pages hold 50, and never more than 100', async () => {
    const first = await samePage({});
    expect(first.rows).toHaveLength(50);
    const second = await samePage({ after: first.nextCursor! });
    const third = await samePage({ after: second.nextCursor! });
    expect([second.rows.length, third.rows.length, third.nextCursor]).toEqual([50, 20, null]);
    const big = await users.search({ scope: { kind: 'global' }, limit: 500 });
    expect(big.rows).toHaveLength(100);
    await expect(samePage({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  test('when the cursor was tampered with then the search refuses it', async () => {
    const tampered = [
      'not a cursor!',
      'e30',
      cursor({ name: 'x', id: 1 }),
      cursor(['nombre', -1]),
      cursor(['nombre', 1.5]),
      cursor([1, 1]),
      cursor(['nombre', 1, 'extra']),
      Buffer.from('["nombre", 1').toString('base64url'),
    ];
    for (const after of tampered) {
      await expect(samePage({ after })).rejects.toMatchObject({
        code: 'invalid_cursor',
        status: 400,
      });
    }
  });
});

describe('orders by time', () => {
  const all = async (sort: 'lastLogin' | 'eid', limit: number) => {
    const seen: UserListRow[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await users.search({ scope: mine(), sort, limit, after } as UserSearchParams);
      seen.push(...page.rows);
      after = page.nextCursor ?? undefined;
      if (!after) break;
    }
    return seen;
  };

  test('when sorted by the e-ID then the most recent comes first, never-used last, each once across pages', async () => {
    const rows = await all('eid', 4);
    expect(rows.length).toBe(await users.count({ scope: mine() }));
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const times = rows.map((r) => r.lastEidLoginAt?.getTime() ?? -Infinity);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(keys(rows.slice(0, 3))).toEqual(['both', 'gonzalez', 'percent']);
    expect(rows.at(-1)!.lastEidLoginAt).toBeNull();
  });

  test('when sorted by last login then whoever logged in comes first, the rest after, ties by id', async () => {
    const rows = await all('lastLogin', 7);
    expect(keys(rows.slice(0, 1))).toEqual(['gonzalez']);
    const rest = rows.slice(1).map((r) => r.id);
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
  });

  test('when a cursor of another order is used then it is refused', async () => {
    const page = await users.search({ scope: mine(), sort: 'eid', limit: 2 } as UserSearchParams);
    await expect(
      users.search({
        scope: mine(),
        sort: 'lastLogin',
        after: page.nextCursor!,
      } as UserSearchParams),
    ).rejects.toMatchObject({ code: 'invalid_cursor' });
    await expect(
      users.search({ scope: mine(), after: page.nextCursor! } as UserSearchParams),
    ).rejects.toMatchObject({ code: 'invalid_cursor' });
  });

  test('when counted then the filters and scope apply, capped', async () => {
    expect(await users.count({ scope: mine(), establishmentId: est.paging.id })).toBe(120);
    expect(await users.count({ scope: mine(), establishmentId: est.paging.id }, 100)).toBe(101);
    expect(
      await users.count({ scope: { kind: 'limited', regionIds: [], establishmentIds: [] } }),
    ).toBe(0);
  });
});

describe('matches far down the name order', () => {
  // A text search gathers up to 1,000 matches by index, then (with more, as filters do at once)
  // walks up to 2,000 users in name order, then gathers all matches. Here 1,050 matches sort
  // after 2,100 namesakes that sort first in the whole database ("aaaa…"): every step is needed
  // for the first page.
  const fillers = 2100;
  const goals = 1050;
  let scope: UserSearchParams['scope'];
  let goalEstablishmentId: number;

  // Ten-digit cédulas: outside uniqueDocument()'s nine-digit range, so the thousands of users other
  // test files create meanwhile cannot collide with these bulk rows.
  const addMany = async (prefix: string, name: string, count: number, establishmentId: number) => {
    await db.query(
      `INSERT INTO users (username, document_number, full_name)
       SELECT $prefix || i, (3000000000 + i * 7 + $offset)::text, $name
       FROM generate_series(1, $count) AS i`,
      { bind: { prefix, name, count, offset: randomInt(100_000_000) } },
    );
    await db.query(
      `INSERT INTO user_establishments (user_id, establishment_id)
       SELECT id, $establishmentId FROM users WHERE username LIKE $like`,
      { bind: { establishmentId, like: `${prefix}%` } },
    );
  };
  const all = async (params: Omit<UserSearchParams, 'scope' | 'after'>) => {
    const rows: UserListRow[] = [];
    let after: string | undefined;
    do {
      const page = await users.search({ scope, ...params, after } as UserSearchParams);
      rows.push(...page.rows);
      after = page.nextCursor ?? undefined;
    } while (after && rows.length < 10_000);
    return rows.map((r) => r.id);
  };
  const ascending = (ids: number[]) => [...ids].sort((a, b) => a - b);

  beforeAll(async () => {
    const r4 = await addRegion('Cuatro');
    const fillerEstablishment = await addEstablishment(r4, 'Relleno USF');
    goalEstablishmentId = (await addEstablishment(r4, 'Objetivo USF')).id;
    await addMany(`fill${tag}`, `Aaaa Relleno ${tag}`, fillers, fillerEstablishment.id);
    await addMany(`goal${tag}`, `Zzzz Objetivo ${tag}`, goals, goalEstablishmentId);
    scope = { kind: 'limited', regionIds: [r4], establishmentIds: [] };
  });

  test('when the matches sort after many others then the first page still holds the first of them', async () => {
    const { rows, nextCursor } = await users.search({ scope, q: 'objetivo', limit: 100 });
    const ids = rows.map((r) => r.id);
    expect(ids).toHaveLength(100);
    expect(ids).toEqual(ascending(ids));
    expect(rows.every((r) => r.fullName.startsWith('Zzzz Objetivo'))).toBe(true);
    expect(nextCursor).not.toBeNull();
    const everyGoal = await all({ q: 'objetivo', limit: 100 });
    expect(ids).toEqual(everyGoal.slice(0, 100));
    const byEstablishment = await users.search({ scope, establishmentId: goalEstablishmentId });
    expect(byEstablishment.rows.map((r) => r.id)).toEqual(everyGoal.slice(0, 50));
  });

  test('when paging through them then every user comes once, in name order', async () => {
    const goalIds = await all({ q: 'objetivo', limit: 100 });
    expect(goalIds).toHaveLength(goals);
    expect(goalIds).toEqual(ascending(goalIds));
    expect(await all({ establishmentId: goalEstablishmentId, limit: 100 })).toEqual(goalIds);
    const everyone = await all({ limit: 100 });
    expect(everyone).toHaveLength(fillers + goals);
    expect(new Set(everyone).size).toBe(fillers + goals);
    expect(everyone.slice(fillers)).toEqual(goalIds);
    expect(everyone.slice(0, fillers)).toEqual(ascending(everyone.slice(0, fillers)));
  });
});

describe('the walk in name order', () => {
  /** The plan of the query search() sends, run under EXPLAIN by a stand-in for Sequelize. */
  const planOf = async (params: UserSearchParams): Promise<string> => {
    let plan = '';
    const explaining = {
      query: async (sql: string, options: object) => {
        const rows = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, {
          ...options,
          type: QueryTypes.SELECT,
        });
        plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        return [];
      },
    } as unknown as Sequelize;
    await createUserSearch(explaining).search(params);
    return plan;
  };

  beforeAll(async () => {
    // Enough users that walking an index beats sorting the table; fresh statistics, as
    // autovacuum keeps them.
    await db.query(
      `INSERT INTO users (username, document_number, full_name)
       SELECT 'walk' || $tag || i, (4000000000 + i * 7 + $offset)::text, 'Caminante ' || i
       FROM generate_series(1, 3000) AS i`,
      { bind: { tag, offset: randomInt(100_000_000) } },
    );
    await db.query('ANALYZE users');
  });

  test('when filters are tested while walking then the walk reads the name index only, not the users', async () => {
    for (const params of [
      { scope: mine(), regionId: region.r2, badge: 'verified', staleCutoff: new Date() },
      { scope: mine(), role: 'auditor', status: 'active', q: 'gonz' },
      { scope: { kind: 'limited', regionIds: [region.r2], establishmentIds: [] } },
    ] as UserSearchParams[]) {
      const plan = await planOf(params);
      const head = plan.slice(plan.indexOf('CTE head'), plan.indexOf('CTE tail'));
      expect(head).toMatch(/Index Only Scan using users_list_walk_idx/);
      expect(head).not.toMatch(/Heap Scan|Index Scan using (?!users_list_walk_idx)/);
    }
  });
});
