/**
 * Real app processes for the scale-out checks: `src/main.ts` run by Node with tsx's loader as one
 * process (so its PID is the app's own, and `kill -9` kills the app, not a wrapper), each on its
 * own free port of 127.0.0.1, stopped by that PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { NODE_FLAGS } from '../src/shared/node-flags';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../src/shared/paths';
import { freePort } from '../test/support/nginx';

const READY_TIMEOUT_IN_MS = 60_000;
const STOP_GRACE_IN_MS = 12_000;
/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface AppInstance {
  name: string;
  port: number;
  url: string;
  pid: number;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGKILL, no shutdown: what a crash or an OOM kill looks like to nginx and Redis. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful shutdown), SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** CPU time (user + system) the process has used so far, in seconds (Linux /proc). */
  cpuSeconds(): number;
  /** The last lines the process wrote to stderr/stdout, for failure messages. */
  output(): string;
}

/** Polls `url` until it answers 200, the process dies, or the timeout passes. */
async function waitForHealth(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_IN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`app instance exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`app instance did not answer ${url}/healthz within 60 s:\n${output()}`);
}

/** Starts one instance of the app with `env` (PORT is chosen here) and waits for /healthz. */
export async function startAppInstance(
  name: string,
  env: Record<string, string>,
): Promise<AppInstance> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const instance: AppInstance = {
    name,
    port,
    url,
    pid: child.pid!,
    alive,
    output: () => tail,
    cpuSeconds() {
      // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    },
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_IN_MS);
      await exited;
      clearTimeout(forced);
    },
  };
  try {
    await waitForHealth(url, child, instance.output);
  } catch (err) {
    await instance.kill9();
    throw err;
  }
  return instance;
}
