/**
 * Reading sqlmap's console output (scripts/sqlmap.ts): which parameters it tested and whether it
 * found anything. Pure, so test/unit/sqlmap-output.test.ts can feed it real sqlmap lines.
 */

export interface SqlmapReport {
  /** Parameters sqlmap started testing, as `GET q` / `POST username`. */
  tested: string[];
  /** Parameters it finished with "does not seem to be injectable". */
  clean: string[];
  /** Every line that reports a finding (injectable, vulnerable, a heuristic hit). */
  findings: string[];
  /** Lines saying sqlmap stopped before testing (connection refused, 40x on the target…). */
  blockers: string[];
}

const PARAM = /(GET|POST|URI|Cookie|\(custom\) POST) parameter '([^']+)'/;

/**
 * Negative verdicts contain the word "injectable" too ("does not seem to be injectable", "all
 * tested parameters do not appear to be injectable", "If no dynamic nor injectable parameters are
 * detected…"): they are recognised first, and a finding is a parameter said to be injectable or
 * vulnerable, a positive heuristic, or an identified injection point.
 */
const NEGATIVE = /does not seem to be injectable|do not appear to be injectable/;
/** A heuristic that found nothing; the full tests still decide. */
const HEURISTIC_NEGATIVE = /might not be injectable/;
const FINDING =
  /parameter '[^']+' (appears to be|is) .*injectable|parameter '[^']+' is vulnerable|might be injectable|might be vulnerable|identified the following injection point/i;
/** Anything sqlmap reports as an error (the "nothing injectable" verdict is caught above). */
const BLOCKER = /\[(ERROR|CRITICAL)\]|unable to connect|no parameter\(s\) found for testing/i;

export function parseSqlmapOutput(output: string): SqlmapReport {
  const report: SqlmapReport = { tested: [], clean: [], findings: [], blockers: [] };
  const add = (list: string[], value: string) => {
    if (!list.includes(value)) list.push(value);
  };
  for (const line of output.split(/\r?\n/)) {
    const param = PARAM.exec(line);
    const name = param ? `${param[1]} ${param[2]}` : null;
    if (name && /testing if .* parameter '[^']+' is dynamic|heuristic \(basic\) test/.test(line))
      add(report.tested, name);
    if (NEGATIVE.test(line)) {
      if (name) add(report.clean, name);
      continue;
    }
    if (HEURISTIC_NEGATIVE.test(line)) continue;
    if (FINDING.test(line)) report.findings.push(line.trim());
    else if (BLOCKER.test(line)) report.blockers.push(line.trim());
  }
  return report;
}
