/**
 * `npm run bench`: latency and throughput of the login path against the real app, on 127.0.0.1
 * only. Two processes run this same file:
 * - the server (`--serve`, bench/server-side.ts) owns the scratch world: it creates the database
 *   `his_acceso_bench_<id>` and the Redis prefix `bench:<id>:`, seeds the users, serves the app,
 *   and removes everything when told to stop or when the load side disappears (Ctrl-C, a kill),
 *   so nothing is left over;
 * - the load side drives autocannon, so that it does not share the app's event loop.
 * It prints medians, p99 and requests/s, and each scenario relative to `GET /healthz` measured in
 * the same run. The refused logins (unknown user, wrong password, locked, disabled) are also
 * compared with the accepted one by their medians, since DESIGN wants them to cost the same; the
 * audit trail and the 401 pages confirm which path each of them took. No thresholds: machines are
 * noisy (bench/README.md).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { openSession } from './http-forms';
import { measure, run, type Measurement } from './measure';
import { report } from './report';
import { scenarios } from './scenarios';
import { benchEntry } from './server-side';
import { askAudit, startServer, stopServer } from './server-process';
import { positiveInt } from './settings';

async function main(): Promise<void> {
  const seconds = positiveInt('BENCH_SECONDS', 10);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const userCount = positiveInt('BENCH_USERS', 20);
  const runId = randomBytes(4).toString('hex');
  const loadAtStart = loadavg()[0]!.toFixed(1);
  process.on('SIGINT', () => {
    run.stopped = true;
    run.current?.stop();
  });

  process.stderr.write(`preparing his_acceso_bench_${runId} with ${userCount} users…\n`);
  // The server side is this same file again, with --serve (see the end of the file).
  const server = startServer(__filename, runId, userCount, seconds, connections);
  try {
    const ready = await server.ready;
    const url = `http://127.0.0.1:${ready.port}`;
    const cookies = await Promise.all(
      Array.from({ length: connections }, (_, i) =>
        openSession(url, ready.usernames[i % ready.usernames.length]!, ready.establishmentId),
      ),
    );
    const results: Measurement[] = [];
    for (const scenario of scenarios({ url, ready, cookies, child: server.child })) {
      if (scenario.prepare) {
        process.stderr.write(`preparing ${scenario.name}…\n`);
        await scenario.prepare();
      }
      // Refused logins: their accounts' audit rows from the warm-up on tell which path ran.
      const prefix = scenario.refusal?.prefix;
      const mark = prefix ? await askAudit(server.child, prefix, Number.MAX_SAFE_INTEGER) : null;
      process.stderr.write(`measuring ${scenario.name} for ${seconds} s…\n`);
      const measurement = await measure(url, scenario, seconds, connections);
      if (prefix && mark) {
        measurement.audit = (await askAudit(server.child, prefix, mark.lastId)).reasons;
      }
      results.push(measurement);
    }
    if (run.failure) throw run.failure;
    const cpus = availableParallelism();
    const { pools, maxFailures } = ready;
    report(
      results,
      `${seconds} s per scenario, ${connections} connections, ${userCount} users ` +
        `(+ ${pools.wrong} wrong-password, ${pools.locked} locked, ${pools.disabled} disabled; ` +
        `lockout after ${maxFailures}), Node ${process.version}, ${cpus} CPUs, ` +
        `load average ${loadAtStart} at start`,
    );
  } finally {
    process.stderr.write('cleaning up…\n');
    await stopServer(server.child);
  }
}

// Every refused login comes from 127.0.0.1: with the per-IP limit (300 failures per window) left
// as is, the later refusal scenarios would measure its 429 instead of their own path.
benchEntry(main, 10, () => ({ LOGIN_MAX_FAILURES_PER_IP: '1000000' }));
