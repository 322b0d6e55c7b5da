/**
 * What a bench server process measures of itself, on the load side's request over IPC: the
 * event-loop delay during a load (perf_hooks.monitorEventLoopDelay), its own CPU time over a span
 * (process.cpuUsage), and the raw argon2id verify rate on its own libuv thread pool.
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { verifyPassword, hashPassword } from '../src/domain/passwords/hashing';

/** Load side → server: start or stop a span; `rate` runs argon2id verifies for `seconds`. */
export type ProbeRequest =
  | { kind: 'probe'; id: number; op: 'start'; label?: string }
  | { kind: 'probe'; id: number; op: 'stop' }
  | { kind: 'probe'; id: number; op: 'rate'; seconds: number; concurrency: number };

/** Server → load side. Times in milliseconds. */
export interface ProbeReply {
  kind: 'probe';
  id: number;
  /** Event-loop delay over the span: p99 and max. */
  eld?: { p50: number; p99: number; max: number };
  /** CPU time (user + system, all threads) of this process over the span; per verify for `rate`. */
  cpuMs?: number;
  /** SQL statements the server sent over the span (ours only). */
  queries?: number;
  /** argon2id verifies per second with `concurrency` in flight. */
  verifiesPerSecond?: number;
  error?: string;
}

export const isProbe = (msg: unknown): msg is ProbeRequest | ProbeReply =>
  typeof msg === 'object' && msg !== null && (msg as ProbeRequest).kind === 'probe';

/** Verifies of `password` against its own hash, `concurrency` at a time, for `seconds`. */
async function verifyRate(password: string, seconds: number, concurrency: number) {
  const stored = await hashPassword(password);
  // Warm-up: the pool's threads and their 19 MiB blocks.
  await Promise.all(Array.from({ length: concurrency }, () => verifyPassword(stored, password)));
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < until) {
      if (!(await verifyPassword(stored, password))) throw new Error('argon2id verify failed');
      done += 1;
    }
  };
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    verifiesPerSecond: done / ((performance.now() - started) / 1000),
    cpuMs: (cpu.user + cpu.system) / 1000 / done,
  };
}

/**
 * BENCH_CPU_PROF=<dir>: a V8 CPU profile of each span (what `node --cpu-prof` writes, but of the
 * timed load only, not of start-up and seeding), as `<dir>/<role>-<label>-<n>.cpuprofile`, and
 * beside it `<…>.json` with the HTTP responses this process finished during the span, so that
 * `npm run bench:profile` can put the two servers' profiles side by side per response.
 */
function spanProfiler(role: string) {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return { start: async () => undefined, stop: async () => undefined };
  const session = new Session();
  session.connect();
  let name = '';
  let count = 0;
  let responses = 0;
  subscribe('http.server.response.finish', () => (responses += 1));
  return {
    async start(label = 'span') {
      name = `${role}-${label}-${++count}`;
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      responses = 0;
    },
    async stop() {
      const finished = responses;
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ responses: finished }));
    },
  };
}

/** Answers the load side's probes in this process (a bench server: ours or the ceiling). */
export function installProbes(
  password: string,
  role: string,
  /** The server's count of SQL statements so far (ours: a Sequelize beforeQuery hook). */
  queryCount: () => number = () => NaN,
): void {
  const eld = monitorEventLoopDelay({ resolution: 10 });
  const profiler = spanProfiler(role);
  let cpuAtStart = process.cpuUsage();
  let queriesAtStart = 0;
  const ms = (ns: number) => ns / 1e6;
  process.on('message', (msg: unknown) => {
    if (!isProbe(msg) || !('op' in msg)) return;
    const reply = (answer: Omit<ProbeReply, 'kind' | 'id'>) =>
      process.connected && process.send!({ kind: 'probe', id: msg.id, ...answer });
    if (msg.op === 'start') {
      void profiler.start(msg.label).then(() => {
        eld.reset();
        eld.enable();
        cpuAtStart = process.cpuUsage();
        queriesAtStart = queryCount();
        reply({});
      });
    } else if (msg.op === 'stop') {
      eld.disable();
      const cpu = process.cpuUsage(cpuAtStart);
      void profiler.stop().then(() =>
        reply({
          eld: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) },
          cpuMs: (cpu.user + cpu.system) / 1000,
          queries: queryCount() - queriesAtStart,
        }),
      );
    } else {
      verifyRate(password, msg.seconds, msg.concurrency).then(
        ({ verifiesPerSecond, cpuMs }) => reply({ verifiesPerSecond, cpuMs }),
        (err: unknown) => reply({ error: String(err) }),
      );
    }
  });
}

let nextProbeId = 0;

/** Sends one probe to a bench server and waits for its reply. */
export function askProbe(
  child: import('node:child_process').ChildProcess,
  request:
    | { op: 'start'; label?: string }
    | { op: 'stop' }
    | { op: 'rate'; seconds: number; concurrency: number },
): Promise<ProbeReply> {
  const id = ++nextProbeId;
  return new Promise((resolve, reject) => {
    const onMessage = (msg: unknown) => {
      if (!isProbe(msg) || (msg as ProbeReply).id !== id || 'op' in msg) return;
      done();
      const reply = msg as ProbeReply;
      if (reply.error) reject(new Error(`probe ${request.op}: ${reply.error}`));
      else resolve(reply);
    };
    const onExit = () => {
      done();
      reject(new Error('a bench server exited during a probe'));
    };
    const done = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ kind: 'probe', id, ...request });
  });
}
