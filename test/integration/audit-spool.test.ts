import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createSequelize } from '../../src/db/sequelize';
import { createAuditSpool, type AuditSpool } from '../../src/domain/audit/spool';
import { appendLoginEvent, type LoginEvent } from '../../src/storage/audit/login-events';
import { verifyChain } from '../../src/domain/audit/verify';
import { createLogger } from '../../src/shared/logger';

/**
 * The spool's own guarantees, on the run's database: what a process left behind is stored by the
 * next one, once, in order, with its own time; a drain cut short resumes; half a line is dropped;
 * a COMMIT that landed is not stored twice; two drainers share the work. Writes "fail" against a
 * real server that is not there (127.0.0.1:1), so the errors are the ones an outage gives.
 */
let db: Sequelize;
let nowhere: Sequelize;
let dir: string;
const logger = createLogger('silent');
const spools: AuditSpool[] = [];

beforeAll(() => {
  db = createSequelize({
    url: process.env.TEST_DATABASE_URL!,
    poolMax: 4,
    statementTimeoutInMs: 30_000,
  });
  nowhere = createSequelize({
    url: 'postgres://postgres@127.0.0.1:1/his_acceso',
    poolMax: 1,
    statementTimeoutInMs: 3000,
  });
});

afterAll(async () => {
  await db.close();
  await nowhere.close();
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'his-spool-test-'));
});

afterEach(async () => {
  await Promise.all(spools.splice(0).map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

/** A pid no process has any more: a child that has exited. */
const deadPid = () => spawnSync('true').pid!;

function spoolOf(owner?: { pid: number; startedMs: number }): AuditSpool {
  const spool = createAuditSpool({ dir, sequelize: db, logger, owner });
  spools.push(spool);
  return spool;
}

/** Login events of this test only: marked by a user agent of their own. */
function eventsOf(userAgent: string, count: number): LoginEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    occurredAt: new Date(Date.UTC(2026, 10, 20, 12, 0, i)),
    userId: null,
    username: `spool-${i}`,
    method: 'logout',
    outcome: 'success',
    reason: 'logout',
    establishmentId: null,
    ip: '10.0.0.1',
    userAgent,
  }));
}

/** Spools `events` as a process whose writes fail because PostgreSQL is unreachable. */
async function spoolWhileDown(spool: AuditSpool, events: LoginEvent[]) {
  for (const event of events) {
    const outcome = await spool.writeOrSpool({ table: 'login_events', event }, () =>
      appendLoginEvent(nowhere, event),
    );
    expect(outcome).toBe('spooled');
  }
}

const stored = (userAgent: string) =>
  db.query<{ username: string; occurred_at: Date }>(
    'SELECT username, occurred_at FROM login_events WHERE user_agent = :userAgent ORDER BY id',
    { replacements: { userAgent }, type: QueryTypes.SELECT },
  );

const files = async () => (await readdir(dir)).sort();

/**
 * The spool file a process left when it died after spooling `count` events of a user agent of
 * their own: that user agent and the file's name.
 */
async function leftByDeadProcess(startedMs: number, count: number) {
  const ua = `spool-${randomUUID()}`;
  await spoolWhileDown(spoolOf({ pid: deadPid(), startedMs }), eventsOf(ua, count));
  const [name] = await files();
  return { ua, name: name! };
}

describe('the audit spool', () => {
  it('when a process died with events in its spool then the next one stores them once, in order, with their own times, and the chain verifies', async () => {
    const ua = `spool-${randomUUID()}`;
    const events = eventsOf(ua, 3);
    await spoolWhileDown(spoolOf({ pid: deadPid(), startedMs: 1000 }), events);
    expect(await files()).toEqual([expect.stringMatching(/^\d+-1000-0\.jsonl$/)]);

    const next = spoolOf();
    expect(await next.drain()).toBe(3);
    expect(await stored(ua)).toEqual(
      events.map((e) => ({ username: e.username, occurred_at: e.occurredAt })),
    );
    expect(await files()).toEqual([]);
    expect(await next.drain()).toBe(0);
    expect(await stored(ua)).toHaveLength(3);
    expect((await verifyChain(db, 'login_events')).brokenAt).toBeNull();
  });

  it('when a live process owns a file then another leaves it alone', async () => {
    const ua = `spool-${randomUUID()}`;
    // pid 1 is always running (and not ours): its file is its own business.
    await spoolWhileDown(spoolOf({ pid: 1, startedMs: 2000 }), eventsOf(ua, 1));
    expect(await spoolOf().drain()).toBe(0);
    expect(await stored(ua)).toEqual([]);
    expect(await files()).toHaveLength(1);
  });

  it('when this process spools and PostgreSQL answers again then its next successful write drains the spool', async () => {
    const ua = `spool-${randomUUID()}`;
    const spool = spoolOf();
    const [down, up] = eventsOf(ua, 2) as [LoginEvent, LoginEvent];
    await spoolWhileDown(spool, [down]);
    expect(
      await spool.writeOrSpool({ table: 'login_events', event: up }, () =>
        appendLoginEvent(db, up),
      ),
    ).toBe('stored');
    // The drain runs in the background after the write: bounded wait for it.
    for (let i = 0; i < 50 && (await files()).length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await stored(ua)).map((r) => r.username).sort()).toEqual(['spool-0', 'spool-1']);
    expect(await files()).toEqual([]);
  });

  it('when a drain was cut short then the next one resumes after the last line it stored', async () => {
    const { ua, name } = await leftByDeadProcess(3000, 3);
    // The first two lines were stored (and counted) before the drainer died.
    await db.query('INSERT INTO audit_spool_batches (batch, lines_stored) VALUES (:batch, 2)', {
      replacements: { batch: name },
    });
    expect(await spoolOf().drain()).toBe(1);
    expect((await stored(ua)).map((r) => r.username)).toEqual(['spool-2']);
    const left = await db.query('SELECT 1 FROM audit_spool_batches WHERE batch = :batch', {
      replacements: { batch: name },
      type: QueryTypes.SELECT,
    });
    expect(left).toEqual([]);
  });

  it('when the process died in the middle of writing a line then the complete lines are stored and the half line is not', async () => {
    const { ua, name } = await leftByDeadProcess(4000, 2);
    await appendFile(path.join(dir, name), '{"table":"login_events","event":{"occ');
    expect(await spoolOf().drain()).toBe(2);
    expect(await stored(ua)).toHaveLength(2);
    expect(await files()).toEqual([]);
  });

  it('when a line is not an audit event then nothing of its file is stored and the file is set aside', async () => {
    const { ua, name } = await leftByDeadProcess(5000, 1);
    await appendFile(path.join(dir, name), '{"table":"users","event":{}}\n');
    expect(await spoolOf().drain()).toBe(0);
    expect(await stored(ua)).toEqual([]);
    expect(await files()).toEqual([name.replace('.jsonl', '.jsonl.rejected')]);
  });

  it('when the write that failed was a COMMIT that reached the server then the replay finds the row and does not store it again', async () => {
    const ua = `spool-${randomUUID()}`;
    const [event] = eventsOf(ua, 1) as [LoginEvent];
    const spool = spoolOf({ pid: deadPid(), startedMs: 6000 });
    const outcome = await spool.writeOrSpool({ table: 'login_events', event }, async () => {
      await appendLoginEvent(db, event);
      // What Sequelize throws when the COMMIT's answer never came (query_timeout).
      throw Object.assign(new Error('Query read timeout'), {
        name: 'SequelizeDatabaseError',
        sql: 'COMMIT;',
        original: { message: 'Query read timeout' },
      });
    });
    expect(outcome).toBe('spooled');
    expect(await spoolOf().drain()).toBe(0);
    expect(await stored(ua)).toHaveLength(1);
    expect(await files()).toEqual([]);
  });

  it('when the write fails for another reason than an outage then the error is thrown and nothing is spooled', async () => {
    const [event] = eventsOf(`spool-${randomUUID()}`, 1) as [LoginEvent];
    await expect(
      spoolOf().writeOrSpool({ table: 'login_events', event }, async () => {
        throw new Error('a bug');
      }),
    ).rejects.toThrow('a bug');
    expect(await files()).toEqual([]);
  });

  it('when two processes drain the same files at once then every line is stored exactly once', async () => {
    const ua = `spool-${randomUUID()}`;
    await spoolWhileDown(spoolOf({ pid: deadPid(), startedMs: 7000 }), eventsOf(ua, 4));
    await spoolWhileDown(spoolOf({ pid: deadPid(), startedMs: 7001 }), eventsOf(ua, 4).slice(0, 2));
    const [a, b] = [spoolOf(), spoolOf()];
    const counts = await Promise.all([a.drain(), b.drain()]);
    expect(counts[0]! + counts[1]!).toBe(6);
    expect(await stored(ua)).toHaveLength(6);
    expect(await files()).toEqual([]);
  });

  it('when a claimed file is left by a drainer that died then the next drainer takes it over', async () => {
    const { ua, name } = await leftByDeadProcess(8000, 1);
    const text = await readFile(path.join(dir, name), 'utf8');
    await rm(path.join(dir, name));
    await writeFile(path.join(dir, `${name}.claimed-${deadPid()}-8001`), text);
    expect(await spoolOf().drain()).toBe(1);
    expect(await stored(ua)).toHaveLength(1);
    expect(await files()).toEqual([]);
  });
});
