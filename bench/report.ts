/** The printed table, and the checks that each refused login took the path it claims. */
import { GENERIC_FAILURE } from '../src/areas/login/classic-routes';
import type { Measurement } from './measure';

/** What went wrong with a refused-login scenario: wrong path in the audit, odd 401 pages. */
function refusalProblems(r: Measurement, commonPage: string | undefined): string[] {
  const refusal = r.scenario.refusal!;
  const problems = Object.entries(r.audit ?? {})
    .filter(([reason]) => reason !== refusal.reason)
    .map(([reason, n]) => `${n}× audit reason ${reason}`);
  const expected = r.audit?.[refusal.reason] ?? 0;
  if (expected < r.count) problems.push(`only ${expected} audit rows for ${r.count} responses`);
  for (const [page, n] of refusal.bodies) {
    if (!page.includes(GENERIC_FAILURE)) problems.push(`${n}× a 401 page without the message`);
    else if (page !== commonPage) problems.push(`${n}× a 401 page unlike the others`);
  }
  return problems;
}

export function report(results: Measurement[], settings: string): void {
  const baseline = results[0]?.perSecond ?? NaN;
  const reference = results.find((r) => r.scenario.reference)?.p50 ?? NaN;
  const widths = [34, 11, 11, 11, 11, 13, 11];
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('');
  // The most frequent masked 401 page: every refused login should have answered exactly this.
  const pages = new Map<string, number>();
  for (const r of results) {
    for (const [page, n] of r.scenario.refusal?.bodies ?? []) {
      pages.set(page, (pages.get(page) ?? 0) + n);
    }
  }
  const commonPage = [...pages].sort((a, b) => b[1] - a[1])[0]?.[0];

  console.log(`\nHIS Acceso bench: ${settings}`);
  console.log(
    row(['scenario', 'p50 ms', 'p99 ms', 'req/s', '× healthz', '× login p50', 'responses']),
  );
  for (const r of results) {
    const ratio = (r.perSecond / baseline).toFixed(3);
    const vsLogin =
      r.scenario.reference || r.scenario.refusal ? (r.p50 / reference).toFixed(2) : '';
    const cells = [r.p50.toFixed(2), r.p99.toFixed(2), r.perSecond.toFixed(0), ratio, vsLogin];
    console.log(row([r.scenario.name, ...cells, String(r.count)]));
    const odd = Object.entries(r.unexpected).map(([status, n]) => `${n}× HTTP ${status}`);
    if (r.errors) odd.push(`${r.errors} connection errors or timeouts`);
    if (r.scenario.refusal) {
      const { reason } = r.scenario.refusal;
      console.log(`  audit: ${r.audit?.[reason] ?? 0}× ${reason}`);
      odd.push(...refusalProblems(r, commonPage));
    }
    if (odd.length) console.log(`  ! unexpected: ${odd.join(', ')}`);
  }
  const refused = results.filter((r) => r.scenario.refusal);
  if (refused.length && pages.size === 1 && commonPage?.includes(GENERIC_FAILURE)) {
    const n = refused.reduce((sum, r) => sum + r.count, 0);
    console.log(
      `401 pages: one and the same for all ${refused.length} refusals ` +
        `(${pages.get(commonPage)} pages incl. warm-up, ${n} timed; CSRF token and typed username masked)`,
    );
  }
}
