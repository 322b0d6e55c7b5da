/** The load side's hold on the server side: fork it, ask it for audit rows, tell it to stop. */
import { fork, type ChildProcess } from 'node:child_process';
import { run } from './measure';
import { isAuditQuery, type Audit, type AuditQuery, type Ready } from './protocol';

/**
 * Forks `entry` with `--serve` (the server side) and waits until it listens (or fails). `entry` is
 * the file that `npm run bench` runs, bench/login.ts: it turns into the server side on that flag.
 * BENCH_APP_FLAGS adds Node flags to our server only (not to the ceiling): what flags such as
 * the shipped start's memory ones cost, as a ratio to the same ceiling.
 */
export function startServer(
  entry: string,
  runId: string,
  userCount: number,
  seconds: number,
  connections: number,
) {
  const child = fork(entry, ['--serve'], {
    env: {
      ...process.env,
      BENCH_RUN_ID: runId,
      BENCH_USERS: String(userCount),
      BENCH_SECONDS: String(seconds),
      BENCH_CONNECTIONS: String(connections),
    },
    execArgv: [
      ...process.execArgv,
      ...(process.env.BENCH_APP_FLAGS ?? '').split(' ').filter(Boolean),
    ],
  });
  const ready = new Promise<Ready>((resolve, reject) => {
    child.once('message', (msg: Ready) => resolve(msg));
    child.once('exit', (code) => {
      run.failure = new Error(`the bench server exited early (code ${code})`);
      reject(run.failure);
      if (!run.stopped) run.current?.stop();
      run.stopped = true;
    });
  });
  return { child, ready };
}

/** Asks the server side to clean up and waits for it; it needs a few seconds. */
export function stopServer(child: ChildProcess): Promise<void> {
  run.stopped = true;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

/** Asks the server side for the audit rows of one pool (see {@link AuditQuery}). */
export function askAudit(child: ChildProcess, prefix: string, since: number): Promise<Audit> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: unknown) => {
      if (!isAuditQuery(msg)) return;
      done();
      const reply = msg as unknown as Audit;
      if (reply.error) reject(new Error(`audit query: ${reply.error}`));
      else resolve(reply);
    };
    const onExit = () => {
      done();
      reject(run.failure ?? new Error('the bench server exited'));
    };
    const done = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ kind: 'audit', prefix, since } satisfies AuditQuery);
  });
}
