/**
 * `npm run check:sentinel`: Redis high availability. A primary, a replica and three sentinels of
 * its own (bench/redis-topology.ts), app instances (src/main.ts) configured with REDIS_SENTINELS
 * only, and a login load while the primary is switched three ways: SENTINEL FAILOVER, kill -9,
 * and kill -9 right after WAIT. Each is PASS when no request was answered 500, the app served
 * again by itself, and (after WAIT) no acknowledged session was lost; 503s, the recovery time and
 * the sessions lost in the replication window are measured and printed. Exit code 1 on any FAIL.
 */
import { availableParallelism, loadavg } from 'node:os';
import { freePort } from '../test/support/nginx';
import { runChecks, verdict } from './cluster-checks';
import { startClusterWorld, type ClusterWorld } from './cluster-world';
import {
  startSentinelTopology,
  SENTINEL_NAME,
  DOWN_AFTER_IN_MS,
  type SentinelTopology,
} from './redis-topology';
import { failoverPhase, type FailoverKind, type PhaseResult } from './sentinel-phase';
import { positiveInt } from './settings';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const instances = positiveInt('SENTINEL_INSTANCES', 2);
  const workers = positiveInt('SENTINEL_WORKERS', 8);
  const seconds = positiveInt('SENTINEL_SECONDS', 3);
  log(
    `${instances} instance(s), ${workers} login loops, ${seconds} s of load before and after each ` +
      `switch, sentinel down-after ${DOWN_AFTER_IN_MS} ms, Node ${process.version}, ` +
      `${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  let topology: SentinelTopology | undefined;
  let world: ClusterWorld | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      log('cleaning up…');
      await world?.stop();
      await topology?.stop();
    })());
  // Ctrl-C reaches the whole process group (app, sandbox, redis): the step under way fails and
  // this process cleans up before it exits; a second Ctrl-C does not wait.
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) void cleanup().finally(() => process.exit(130));
    interrupted = true;
    log('interrupted: cleaning up after the current step…');
  });

  try {
    log('starting the primary, the replica and three sentinels…');
    topology = await startSentinelTopology();
    world = await startClusterWorld({
      instances,
      loadUsers: workers * 2,
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      redisEnv: { REDIS_SENTINELS: topology.sentinels, REDIS_SENTINEL_NAME: SENTINEL_NAME },
      // The topology's data goes with it.
      cleanRedis: async () => undefined,
      log,
    });
    const results: PhaseResult[] = [];
    for (const kind of ['failover', 'kill', 'kill-after-wait'] as FailoverKind[]) {
      if (interrupted) throw new Error('interrupted (Ctrl-C)');
      log(`${kind}: login load, then the switch…`);
      const result = await failoverPhase(topology, world, kind, {
        workers,
        secondsBefore: seconds,
        secondsAfter: seconds,
        sessions: positiveInt('SENTINEL_SESSIONS', 20),
      });
      console.log(`${result.pass ? 'PASS' : 'FAIL'}  ${kind}\n      ${result.detail}`);
      results.push(result);
    }
    const dead = world.instances.filter((i) => !i.alive());
    if (dead.length) {
      console.log(`FAIL  app instance(s) exited: ${dead.map((i) => i.output()).join('\n')}`);
      return 1;
    }
    return verdict(results);
  } finally {
    await cleanup();
  }
}

runChecks('npm run check:sentinel', main);
