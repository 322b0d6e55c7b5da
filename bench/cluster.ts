/**
 * `npm run cluster`: N real app instances (src/main.ts) behind nginx running
 * deploy/nginx/his-load-balancer.conf, all on 127.0.0.1, on a scratch database and Redis prefix.
 * Checks, each printed PASS/FAIL (exit code 1 on any FAIL):
 *  1. a session made through nginx is open on every instance;
 *  2. brute-force counters are shared (wrong passwords spread over the instances lock);
 *  3. an e-ID flow started on one instance completes on another (its state is in Redis);
 *  4. kill -9 of one instance under an authenticated load: nginx keeps serving, no session lost;
 *  5. throughput of the authenticated home page with 1, 2, … N instances, as ratios to one.
 * Everything is stopped by PID at the end (also on Ctrl-C), the database dropped, the keys deleted.
 */
import { availableParallelism, loadavg } from 'node:os';
import type { RunningNginx } from '../test/support/nginx';
import { freePort } from '../test/support/nginx';
import {
  eidAcrossInstances,
  killUnderLoad,
  lockoutShared,
  sessionOnEveryInstance,
  type CheckResult,
  runChecks,
  verdict,
} from './cluster-checks';
import { authenticatedLoad, type LoadResult } from './cluster-load';
import { startLoadBalancer } from './cluster-nginx';
import { startClusterWorld, type ClusterWorld } from './cluster-world';
import { openSession } from './http-forms';
import { positiveInt } from './settings';

/** A step of the throughput table: the load's figures, the cores the instances used, loadavg. */
type Row = LoadResult & { appCores: number; load: number };

const log = (line: string) => process.stderr.write(`${line}\n`);

let interrupted = false;
/** Between steps: stop here (and clean up) once Ctrl-C was pressed. */
function stopIfInterrupted(): void {
  if (interrupted) throw new Error('interrupted (Ctrl-C)');
}

function print(result: CheckResult): void {
  console.log(`${result.pass ? 'PASS' : 'FAIL'}  ${result.name}\n      ${result.detail}`);
}

/**
 * (5) For n = 1…N, a fresh nginx over the first n instances and `seconds` of load: requests/s
 * and p99, with ratios to one instance. PASS when every step answered only 2xx and, on a machine
 * with more than one core, N instances serve more than one (ratio ≥ 1.1).
 */
async function throughput(
  world: ClusterWorld,
  seconds: number,
  connections: number,
): Promise<CheckResult & { rows: Row[] }> {
  const ports = world.instances.map((i) => i.port);
  const rows: Row[] = [];
  for (let n = 1; n <= ports.length; n++) {
    stopIfInterrupted();
    const lb = await startLoadBalancer(ports.slice(0, n));
    try {
      const cookies = await Promise.all(
        Array.from({ length: connections }, (_, i) =>
          openSession(
            lb.baseUrl,
            world.users.load[i % world.users.load.length]!.username,
            world.establishmentId,
          ),
        ),
      );
      // Warm-up: a replacement instance (check 4) is cold, its JIT unwarmed.
      await authenticatedLoad(lb.baseUrl, cookies, Math.min(3, seconds), connections);
      log(`measuring ${n} instance(s) for ${seconds} s…`);
      const used = world.instances.slice(0, n);
      const cpuBefore = used.reduce((sum, i) => sum + i.cpuSeconds(), 0);
      const row = await authenticatedLoad(lb.baseUrl, cookies, seconds, connections);
      const cpu = used.reduce((sum, i) => sum + i.cpuSeconds(), 0) - cpuBefore;
      rows.push({ ...row, appCores: cpu / row.seconds, load: loadavg()[0]! });
    } finally {
      await lb.stop();
    }
  }
  const base = rows[0]!.rps;
  console.log(
    '\n  instances   req/s   ratio   p50 ms   p99 ms   non-2xx/errors   app CPU (cores)   load avg',
  );
  rows.forEach((r, i) => {
    const failed = Object.values(r.other).reduce((a, b) => a + b, 0) + r.errors + r.timeouts;
    console.log(
      [
        String(i + 1).padStart(11),
        r.rps.toFixed(0).padStart(7),
        `${(r.rps / base).toFixed(2)}x`.padStart(7),
        String(r.p50).padStart(8),
        String(r.p99).padStart(8),
        String(failed).padStart(16),
        r.appCores.toFixed(2).padStart(17),
        r.load.toFixed(1).padStart(10),
      ].join(' '),
    );
  });
  console.log('');
  const last = rows[rows.length - 1]!;
  const clean = rows.every((r) => Object.keys(r.other).length === 0 && r.errors + r.timeouts === 0);
  const grows = rows.length < 2 || availableParallelism() < 2 || last.rps >= 1.1 * base;
  return {
    name: 'throughput grows with instances',
    pass: clean && grows,
    detail:
      `${rows.length} instance(s): ${(last.rps / base).toFixed(2)}x one instance on ` +
      `${availableParallelism()} cores; the instances used ${last.appCores.toFixed(2)} cores ` +
      `(one: ${rows[0]!.appCores.toFixed(2)}), load average ${last.load.toFixed(1)}` +
      (grows ? '' : ' (on a busy machine there is no free core for another instance to use)'),
    rows,
  };
}

async function main(): Promise<number> {
  const cores = availableParallelism();
  const count = positiveInt('CLUSTER_INSTANCES', cores);
  const seconds = positiveInt('CLUSTER_SECONDS', 8);
  const connections = positiveInt('CLUSTER_CONNECTIONS', 16);
  if (count < 2) throw new Error('CLUSTER_INSTANCES must be at least 2 to check anything shared');
  log(
    `${count} instances, ${seconds} s per load, ${connections} connections, Node ${process.version}, ${cores} cores, load average ${loadavg()[0]!.toFixed(1)}`,
  );

  const lbPort = await freePort();
  let world: ClusterWorld | undefined;
  let lb: RunningNginx | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      log('cleaning up…');
      await lb?.stop();
      await world?.stop();
    })());
  // Ctrl-C reaches the whole process group: the instances, nginx and the sandbox stop at once,
  // the step under way fails, and this process cleans up (database, keys) before it exits. A
  // second Ctrl-C does not wait for the step.
  process.on('SIGINT', () => {
    if (interrupted) void cleanup().finally(() => process.exit(130));
    interrupted = true;
    log('interrupted: cleaning up after the current step…');
  });

  try {
    world = await startClusterWorld({
      instances: count,
      loadUsers: Math.max(connections, 8),
      baseUrl: `http://127.0.0.1:${lbPort}`,
      log,
    });
    stopIfInterrupted();
    lb = await startLoadBalancer(
      world.instances.map((i) => i.port),
      lbPort,
    );
    const results: CheckResult[] = [];
    const run = async (check: Promise<CheckResult>) => {
      const result = await check.catch((err: unknown): CheckResult => ({
        name: 'check',
        pass: false,
        detail: String(err),
      }));
      stopIfInterrupted();
      print(result);
      results.push(result);
    };
    await run(sessionOnEveryInstance(world, lb));
    await run(lockoutShared(world));
    await run(eidAcrossInstances(world));
    await run(
      killUnderLoad(world, lb, {
        seconds,
        connections,
        sessions: connections,
        maxFailedShare: 0.01,
      }),
    );
    // The killed instance is replaced, so the throughput steps have N live instances again.
    world.instances.splice(0, world.instances.length, ...world.instances.filter((i) => i.alive()));
    while (world.instances.length < count) {
      stopIfInterrupted();
      await world.addInstance();
    }
    await lb.stop();
    lb = undefined;
    const scale = await throughput(world, seconds, connections);
    print(scale);
    results.push(scale);
    return verdict(results);
  } finally {
    await cleanup();
  }
}

runChecks('npm run cluster', main);
