import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const tsxCli = require.resolve('tsx/cli');
// npm runs jest with the pinned Node 24; the system node (20) cannot run the CLI's dependencies.
const node =
  Number(process.versions.node.split('.')[0]) >= 24
    ? process.execPath
    : path.join(root, 'node_modules/.bin/node');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

type CliOptions = {
  input?: string;
  databaseUrl?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
};

const cliEnv = (opts: CliOptions): NodeJS.ProcessEnv => ({
  ...process.env,
  DATABASE_URL: opts.databaseUrl ?? process.env.TEST_DATABASE_URL,
  // The run's Redis keys only (an import refreshes cached identities there).
  REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: `${process.env.TEST_REDIS_PREFIX ?? 'test:'}cli:`,
  // No checkpoints of a developer's own runs (var/audit-checkpoints) unless a test sets its own.
  AUDIT_CHECKPOINT_DIR: path.join(os.tmpdir(), 'his-no-checkpoints'),
  LOG_LEVEL: 'silent',
  ...opts.env,
});

/**
 * `npm run cli -- <args>` as operators run it: the real process through tsx, on the run's
 * database unless `databaseUrl` names another, with `env` added to the environment, `input` (or
 * nothing) on its stdin, and killed after `timeoutMs` (60 s unless told). It blocks this process:
 * a test whose app answers HTTP in this process uses {@link runCliAsync}.
 */
export function runCli(args: string[], opts: CliOptions = {}): CliResult {
  const res = spawnSync(node, [tsxCli, 'src/cli/main.ts', ...args], {
    cwd: root,
    env: cliEnv(opts),
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/**
 * {@link runCli} without blocking this process: the app of the test keeps its timers and its
 * sockets while the CLI runs. (Blocked for a slow CLI run, an in-process server's keep-alive
 * timer and the HTTP client's fired together afterwards, and the client's next request went out
 * on a socket the server was closing: "other side closed".)
 */
export function runCliAsync(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [tsxCli, 'src/cli/main.ts', ...args], {
      cwd: root,
      env: cliEnv(opts),
      timeout: opts.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
