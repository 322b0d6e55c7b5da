/** One scenario under load: a short warm-up, then a timed run; every response timed by us. */
import {
  autocannon,
  type BenchRequest,
  type Instance,
  type Result,
  type SetupClient,
} from './autocannon';
import { WARMUP } from './settings';

/** One row of the table (bench/scenarios.ts). */
export interface Scenario {
  name: string;
  /** The status whose responses are timed and counted. */
  measured: number;
  /** Statuses of helper requests in the same sequence: expected, neither timed nor counted. */
  helpers?: number[];
  requests: BenchRequest[];
  setupClient?: SetupClient;
  /** Warm-up requests per connection; {@link WARMUP} when absent. */
  warmup?: number;
  /** The accepted login: the others' medians are shown relative to its median. */
  reference?: true;
  /** A refused login: the accounts' prefix and the reason each attempt must leave in the audit. */
  refusal?: { prefix: string; reason: string; bodies: Map<string, number> };
  /** Untimed work before the warm-up. */
  prepare?: () => Promise<void>;
}

export interface Measurement {
  scenario: Scenario;
  p50: number;
  p99: number;
  perSecond: number;
  count: number;
  /** Bytes per measured response, headers included (what the page size costs on the wire). */
  bytes: number;
  unexpected: Record<number, number>;
  errors: number;
  /** Refused logins: the audit reasons their accounts got during the scenario. */
  audit?: Record<string, number>;
}

/** The load in progress, so that Ctrl-C or a dead server can stop it early. */
export const run: { current?: Instance; stopped: boolean; failure?: Error } = { stopped: false };

function load(
  url: string,
  scenario: Scenario,
  amount: { connections: number; duration?: number; amount?: number },
  onResponse: (status: number, ms: number, bytes: number) => void,
): Promise<Result> {
  if (run.stopped) return Promise.reject(run.failure ?? new Error('interrupted'));
  return new Promise((resolve, reject) => {
    const { requests, setupClient } = scenario;
    run.current = autocannon({ url, requests, setupClient, ...amount }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
    run.current.on('response', (_client, status: number, bytes: number, ms: number) =>
      onResponse(status, ms, bytes),
    );
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** A short warm-up (JIT, pools), then `seconds` of load, timing every response ourselves. */
export async function measure(
  url: string,
  scenario: Scenario,
  seconds: number,
  connections: number,
  /** Called just before and after the timed run (not the warm-up): a server's own probes. */
  span?: { start(): Promise<unknown>; stop(): Promise<unknown> },
): Promise<Measurement> {
  const warmup = connections * (scenario.warmup ?? WARMUP);
  await load(url, scenario, { connections, amount: warmup }, () => undefined);
  await span?.start();
  const times: number[] = [];
  let bytes = 0;
  const unexpected: Record<number, number> = {};
  const result = await load(
    url,
    scenario,
    { connections, duration: seconds },
    (status, ms, size) => {
      if (status === scenario.measured) {
        times.push(ms);
        bytes += size;
      } else if (!scenario.helpers?.includes(status))
        unexpected[status] = (unexpected[status] ?? 0) + 1;
    },
  );
  await span?.stop();
  times.sort((a, b) => a - b);
  return {
    scenario,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    perSecond: times.length / result.duration,
    count: times.length,
    bytes: times.length ? bytes / times.length : NaN,
    unexpected,
    errors: result.errors + result.timeouts,
  };
}
