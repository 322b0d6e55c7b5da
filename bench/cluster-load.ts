/** Authenticated `GET /` load with autocannon: each connection carries one open session. */
import { autocannon } from './autocannon';

export interface LoadResult {
  seconds: number;
  /** 2xx answers per second over the whole run. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  /** Answers by status code other than 2xx (e.g. `{ 302: 4 }`: a session was lost). */
  other: Record<string, number>;
  errors: number;
  timeouts: number;
  /** 2xx answers received after {@link LoadHooks.mark} was called (0 if never). */
  okAfterMark: number;
}

export interface LoadHooks {
  /** Called once the load runs; `mark()` notes "from now on" for `okAfterMark`. */
  during?(mark: () => void): void | Promise<void>;
}

interface Aggregate {
  duration: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number };
  statusCodeStats: Record<string, { count: number }>;
}

/**
 * `connections` keep-alive connections to `baseUrl` for `seconds`, connection i sending
 * `cookies[i % cookies.length]`; every answer is counted by status (a 302 to /login would mean
 * the session was not found), and timeouts and connection errors separately.
 */
export function authenticatedLoad(
  baseUrl: string,
  cookies: string[],
  seconds: number,
  connections: number,
  hooks: LoadHooks = {},
): Promise<LoadResult> {
  let next = 0;
  let marked = false;
  let okAfterMark = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections,
        duration: seconds,
        requests: [{ method: 'GET', path: '/' }],
        setupClient: (client) => client.setHeaders({ cookie: cookies[next++ % cookies.length]! }),
      },
      (err, raw) => {
        if (err) return reject(err);
        const result = raw as unknown as Aggregate;
        const other: Record<string, number> = {};
        let ok = 0;
        for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
          if (code.startsWith('2')) ok += count;
          else other[code] = count;
        }
        resolve({
          seconds: result.duration,
          rps: ok / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          ok,
          other,
          errors: result.errors,
          timeouts: result.timeouts,
          okAfterMark,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number) => {
      if (marked && status >= 200 && status < 300) okAfterMark++;
    });
    Promise.resolve(hooks.during?.(() => (marked = true))).catch((err: unknown) => {
      instance.stop();
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
