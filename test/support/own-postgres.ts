import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFileSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createSequelize } from '../../src/db/sequelize';
import { createMigrator } from '../../src/db/migrator';
import { freePort } from './nginx';

/** Debian's server binaries (postgresql-15; the newest installed major if there are several). */
function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d))
    .sort((a, b) => Number(b) - Number(a));
  if (!majors[0]) throw new Error(`no PostgreSQL server under ${root}`);
  return path.join(root, majors[0], 'bin', name);
}

/**
 * Runs a server binary as the `postgres` OS user (the server refuses to run as root). Not
 * synchronously: the app under test must see its connections drop while the server stops.
 */
async function asPostgres(args: string[], timeoutMs = 30_000): Promise<void> {
  try {
    await promisify(execFile)('runuser', ['-u', 'postgres', '--', ...args], {
      timeout: timeoutMs,
    });
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    throw new Error(`${path.basename(args[0]!)} failed: ${stderr || message}`);
  }
}

/** A test's own PostgreSQL server: where it listens, and the faults a test can inflict on it. */
export interface OwnPostgres {
  readonly port: number;
  /** The migrated application database on this server. */
  readonly url: string;
  /** Stops the server at once, as a crash does (`pg_ctl stop -m immediate`); connections drop. No-op when stopped. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (after crash recovery it accepts connections). No-op when running. */
  start(): Promise<void>;
  /**
   * Freezes the postmaster and every backend (SIGSTOP): connections stay open and new ones are
   * accepted by the kernel, but nothing is ever answered — a hung server.
   */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT); resolves once a new connection is answered. */
  thaw(): Promise<void>;
  /** Runs `sql` on a connection of its own (a held lock, counting rows). Caller ends it. */
  connect(): Promise<Client>;
  /** The server's log so far, for failure messages. */
  log(): string;
  /** Stops the server and deletes its files. */
  close(): Promise<void>;
}

/**
 * Starts an {@link OwnPostgres}: initdb into a temporary directory (trust, no fsync: about 2 s with the migrations),
 * 127.0.0.1 on a free port with the socket in that directory, then the `his_acceso` database
 * migrated as in production. One per test file: initdb dominates the cost.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'his-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  chownSync(dir, uid, gid);
  const port = await freePort();
  await asPostgres([
    pgBin('initdb'),
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  appendFileSync(
    path.join(data, 'postgresql.conf'),
    [
      `listen_addresses = '127.0.0.1'`,
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      // Nothing reaches the disk (fast), but every commit reaches the OS before it is
      // acknowledged: a stop -m immediate (a crash of the server, not of the machine) loses none.
      'fsync = off',
      'full_page_writes = off',
      'max_connections = 40',
      'shared_buffers = 16MB',
      '',
    ].join('\n'),
  );

  const pgCtl = (...args: string[]) => asPostgres([pgBin('pg_ctl'), '-D', data, ...args]);
  // `-w -t 15`: pg_ctl returns once the server accepts connections, or fails after 15 s.
  let running = false;
  const start = async () => {
    if (running) return;
    await pgCtl('-l', log, '-w', '-t', '15', 'start');
    running = true;
  };
  const stop = async () => {
    if (!running) return;
    await pgCtl('-m', 'immediate', '-w', '-t', '15', 'stop');
    running = false;
  };

  /** The postmaster (first line of its pid file) and its children: backends, writers. */
  const serverPids = (): number[] => {
    const postmaster = Number(
      readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const children = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          // Fields after the parenthesised name: state, ppid, …
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false; // exited meanwhile
        }
      })
      .map(Number);
    return [postmaster, ...children];
  };
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of serverPids()) {
      try {
        process.kill(pid, sig);
      } catch {
        // a backend that exited meanwhile
      }
    }
  };

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const url = `postgres://postgres@127.0.0.1:${port}/his_acceso`;
  const connect = async (target = url) => {
    const client = new Client({ connectionString: target, connectionTimeoutMillis: 3000 });
    client.on('error', () => {}); // a stopped server ends it; the test decides what that means
    await client.connect();
    return client;
  };

  await start();
  try {
    const admin = await connect(adminUrl);
    await admin.query('CREATE DATABASE his_acceso');
    await admin.end();
    const db = createSequelize({ url, poolMax: 2, statementTimeoutInMs: 30_000 });
    try {
      await createMigrator(db).up();
    } finally {
      await db.close();
    }
  } catch (err) {
    await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let frozen = false;
  return {
    port,
    url,
    stop,
    start,
    freeze() {
      signal('SIGSTOP');
      frozen = true;
    },
    async thaw() {
      signal('SIGCONT');
      frozen = false;
      // Bounded: 50 tries, each up to its 3 s connect timeout.
      for (let i = 0; ; i++) {
        try {
          await (await connect()).end();
          return;
        } catch (err) {
          if (i >= 50) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    connect: () => connect(),
    log: () => {
      try {
        return readFileSync(log, 'utf8');
      } catch {
        return '';
      }
    },
    async close() {
      if (frozen) signal('SIGCONT');
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
