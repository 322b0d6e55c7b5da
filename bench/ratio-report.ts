/** The table of `npm run bench` (bench/ratios.ts): medians over the rounds, ratios per round. */
import type { EidMeasurement } from './eid-callbacks';
import type { Footprint } from './footprint';
import type { Measurement } from './measure';
import type { ProbeReply } from './probes';

type Load = Measurement & { probe: ProbeReply };

/** One round: each pair is [ours, its baseline], measured one after the other. */
export interface Round {
  home: [Load, Load];
  verify: [Load, Load];
  login: Load;
  /** argon2id verifies per second on ours' thread pool, as many in flight as connections. */
  verifiesPerSecond: number;
  /** The process's CPU (all threads) per raw verify, ms. */
  verifyCpuMs: number;
  eid: EidMeasurement;
}

const median = (values: number[]) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
};
const fixed = (v: number, digits: number) => (Number.isNaN(v) ? '' : v.toFixed(digits));
const eld = (l: Load) => l.probe.eld?.p99 ?? NaN;
/** The server's own CPU time per timed response (a login's untimed form fetch included). */
const cpu = (l: Load) => (l.probe.cpuMs ?? NaN) / l.count;

/** Something other than the measured status, or connection errors: the figure is suspect. */
function oddities(name: string, loads: Load[]): string[] {
  return loads.flatMap((l) => {
    const odd = Object.entries(l.unexpected).map(([status, n]) => `${n}× HTTP ${status}`);
    if (l.errors) odd.push(`${l.errors} connection errors or timeouts`);
    return odd.length ? [`! ${name} (${l.scenario.name}): ${odd.join(', ')}`] : [];
  });
}

export function ratioReport(
  rounds: Round[],
  sizes: Footprint,
  info: { header: string; elapsed: number },
): void {
  const widths = [36, 9, 9, 7, 8, 9, 9, 7, 8, 14, 14];
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('');
  const pairRow = (name: string, pairs: [Load, Load][], target: string, p99Target: string) => [
    name,
    fixed(median(pairs.map(([o]) => o.perSecond)), 0),
    fixed(median(pairs.map(([, b]) => b.perSecond)), 0),
    fixed(median(pairs.map(([o, b]) => o.perSecond / b.perSecond)), 2),
    target,
    fixed(median(pairs.map(([o]) => o.p99)), 2),
    fixed(median(pairs.map(([, b]) => b.p99)), 2),
    fixed(median(pairs.map(([o, b]) => o.p99 / b.p99)), 2),
    p99Target,
    `${fixed(median(pairs.map(([o]) => eld(o))), 1)} / ${fixed(median(pairs.map(([, b]) => eld(b))), 1)}`,
    `${fixed(median(pairs.map(([o]) => cpu(o))), 2)} / ${fixed(median(pairs.map(([, b]) => cpu(b))), 2)}`,
  ];
  const home = rounds.map((r) => r.home);
  const verify = rounds.map((r) => r.verify);
  const login = rounds.map((r) => r.login);
  const raw = rounds.map((r) => r.verifiesPerSecond);
  const eid = rounds.map((r) => r.eid);

  console.log(`\nHIS Acceso bench: ${info.header}`);
  console.log(
    'medians over the rounds; × = ours ÷ baseline in the same round; ELD = event-loop delay p99 (ms), ' +
      'CPU = process CPU ms per response, of ours / of the baseline during the load',
  );
  console.log(
    row([
      'figure',
      'ours/s',
      'base/s',
      '×',
      'target',
      'p99 ms',
      'base p99',
      '× p99',
      'target',
      'ELD ours/base',
    ]),
  );
  console.log(row(pairRow('GET / vs ceiling EJS page', home, '≥ 0.80', '≤ 1.20')));
  console.log(row(pairRow('GET /auth/verify vs session read', verify, '≥ 0.90', '')));
  console.log(
    row([
      'POST /login vs raw argon2id verify',
      fixed(median(login.map((l) => l.perSecond)), 1),
      fixed(median(raw), 1),
      fixed(median(rounds.map((r) => r.login.perSecond / r.verifiesPerSecond)), 2),
      '≥ 0.85',
      fixed(median(login.map((l) => l.p99)), 1),
      '',
      '',
      '',
      `${fixed(median(login.map(eld)), 1)} / -`,
      `${fixed(median(login.map(cpu)), 1)} / ${fixed(median(rounds.map((r) => r.verifyCpuMs)), 1)}`,
    ]),
  );
  console.log(
    `e-ID callback (${eid[0]?.callbacks ?? 0} per round, one at a time): our CPU ` +
      `${fixed(median(eid.map((e) => e.cpuMs)), 2)} ms per callback (target ≤ 2 ms), ` +
      `wall ${fixed(median(eid.map((e) => e.wallMs)), 1)} ms, ELD p99 ${fixed(median(eid.map((e) => e.eldP99)), 1)} ms, ` +
      `${fixed(median(eid.map((e) => e.queries)), 1)} SQL statements per callback`,
  );
  const sql = (loads: Load[]) =>
    fixed(median(loads.map((l) => (l.probe.queries ?? NaN) / l.count)), 2);
  console.log(
    `SQL statements per response (ours): home ${sql(home.map(([o]) => o))}, ` +
      `verify ${sql(verify.map(([o]) => o))}, login ${sql(login)} (its form fetch included)`,
  );
  const size = (loads: Load[]) => fixed(median(loads.map((l) => l.bytes)), 0);
  console.log(
    `bytes per response, headers included: home ${size(home.map(([o]) => o))} ` +
      `(ceiling ${size(home.map(([, b]) => b))}), verify ${size(verify.map(([o]) => o))} ` +
      `(ceiling ${size(verify.map(([, b]) => b))})`,
  );
  console.log(
    `login: CPU per accepted login (all threads, its form fetch included) minus CPU per raw verify: ` +
      `${fixed(median(rounds.map((r) => cpu(r.login) - r.verifyCpuMs)), 2)} ms`,
  );
  const perRound = (values: number[], digits = 2) => values.map((v) => fixed(v, digits)).join(' ');
  console.log(
    `rounds: home × ${perRound(home.map(([o, b]) => o.perSecond / b.perSecond))}, ` +
      `p99 × ${perRound(home.map(([o, b]) => o.p99 / b.p99))}; ` +
      `verify × ${perRound(verify.map(([o, b]) => o.perSecond / b.perSecond))}; ` +
      `login × ${perRound(rounds.map((r) => r.login.perSecond / r.verifiesPerSecond))}; ` +
      `e-ID CPU ms ${perRound(eid.map((e) => e.cpuMs))}`,
  );
  const le = sizes.loginEvents;
  console.log(
    `Redis per open session: session key ${sizes.sessionBytes} B (JSON ${sizes.sessionJsonChars} chars) ` +
      `+ index entry ${fixed(sizes.indexBytesPerSession, 0)} B; identity key ${sizes.identityBytes} B per signed-in user`,
  );
  console.log(
    `login_events, ${le.rows} rows added: ${fixed(le.avgRowBytes, 0)} B per row (pg_column_size), ` +
      `${fixed((le.tableBytes + le.indexBytes) / le.rows, 0)} B per row with its indexes ` +
      `(table ${fixed(le.tableBytes / le.rows, 0)}, indexes ${fixed(le.indexBytes / le.rows, 0)})`,
  );
  for (const line of [
    ...oddities('home', home.flat()),
    ...oddities('verify', verify.flat()),
    ...oddities('login', login),
  ])
    console.log(line);
  console.log(`whole run ${info.elapsed.toFixed(0)} s`);
}
