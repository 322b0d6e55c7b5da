/**
 * The Node flags HIS Acceso is started with: `npm start`, deploy/systemd/his-acceso.service and
 * the instances of `npm run cluster` and `npm run bench:burst` (a unit test keeps the first two
 * equal to this list). A smaller young generation and a slower-growing old one keep a
 * million-row CSV export's RSS growth near 30 MB instead of about 115 MB — its live heap is
 * 19 MB; the rest was garbage V8 let accumulate — for about a fifth more export time and a few
 * per cent of page throughput (`npm run bench:audit`, `BENCH_APP_FLAGS` with `npm run bench`;
 * docs/performance.md). V8 flags: given on the command line (NODE_OPTIONS refuses the second).
 */
export const NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=30'] as const;
