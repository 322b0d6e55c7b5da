import fc from 'fast-check';
import {
  furthestBehindFirst,
  percent,
  sharesOf,
  trendPoints,
  trendWindows,
  type AdoptionUnit,
} from '../../src/areas/adoption/figures';
import { stackChart, trendChart, formatPercent } from '../../src/areas/adoption/chart';
import { staleCutoff } from '../../src/domain/badges/stale-cutoff';

const policy = { staleAfterMonths: 3 };
const unit = (name: string, verified: number, stale: number, never: number): AdoptionUnit => ({
  id: name.length,
  name,
  counts: { verified, stale, never },
});

describe('sharesOf: percentages of the three badge states', () => {
  it('when 1 of 3 users is in each state then the shares add up to exactly 100', () => {
    expect(sharesOf({ verified: 1, stale: 1, never: 1 })).toEqual({
      verified: 33.4,
      stale: 33.3,
      never: 33.3,
    });
  });

  it('when 2 verified, 1 stale and 5 never then 25, 12.5 and 62.5', () => {
    expect(sharesOf({ verified: 2, stale: 1, never: 5 })).toEqual({
      verified: 25,
      stale: 12.5,
      never: 62.5,
    });
  });

  it('when there is nobody then there are no shares', () => {
    expect(sharesOf({ verified: 0, stale: 0, never: 0 })).toBeNull();
  });

  it('when counts are random then shares add to 100.0 and each is within 0.1 of the exact value', () => {
    const count = fc.integer({ min: 0, max: 100_000 });
    fc.assert(
      fc.property(count, count, count, (verified, stale, never) => {
        const total = verified + stale + never;
        const shares = sharesOf({ verified, stale, never });
        if (total === 0) return shares === null;
        const tenths = [shares!.verified, shares!.stale, shares!.never].map((s) =>
          Math.round(s * 10),
        );
        expect(tenths.reduce((a, b) => a + b, 0)).toBe(1000);
        [verified, stale, never].forEach((c, i) =>
          expect(Math.abs(tenths[i]! - (c * 1000) / total)).toBeLessThan(1),
        );
        return true;
      }),
    );
  });

  it('when part and whole are given then percent rounds to one decimal and refuses a zero whole', () => {
    expect(percent(1, 3)).toBe(33.3);
    expect(percent(2, 3)).toBe(66.7);
    expect(percent(0, 0)).toBeNull();
  });
});

describe('furthestBehindFirst: the regions furthest behind come first', () => {
  it('when shares of stale + never differ then the highest share is first, whatever the size', () => {
    const rows = furthestBehindFirst([
      unit('Alto Paraná', 90, 5, 5), // 10 % behind
      unit('Central', 50, 25, 25), // 50 %
      unit('Boquerón', 1, 0, 3), // 75 %
    ]);
    expect(rows.map((r) => r.unit.name)).toEqual(['Boquerón', 'Central', 'Alto Paraná']);
    expect(rows.map((r) => r.behind)).toEqual([75, 50, 10]);
  });

  it('when two shares round alike but differ then the exact comparison decides', () => {
    // 1/3 = 33.33…% and 333/1000 = 33.3 %: both shown as 33,3 %, the first is behind more.
    const rows = furthestBehindFirst([unit('B', 667, 333, 0), unit('A', 2, 1, 0)]);
    expect(rows.map((r) => r.behind)).toEqual([33.3, 33.3]);
    expect(rows.map((r) => r.unit.name)).toEqual(['A', 'B']);
  });

  it('when shares tie then the larger group comes first, then by name', () => {
    const rows = furthestBehindFirst([
      unit('Caaguazú', 1, 0, 1),
      unit('Amambay', 1, 1, 0),
      unit('Itapúa', 10, 5, 5),
    ]);
    expect(rows.map((r) => r.unit.name)).toEqual(['Itapúa', 'Amambay', 'Caaguazú']);
  });

  it('when a unit has no active users then it goes last with no shares', () => {
    const rows = furthestBehindFirst([unit('Vacía', 0, 0, 0), unit('Llena', 5, 0, 0)]);
    expect(rows.map((r) => r.unit.name)).toEqual(['Llena', 'Vacía']);
    expect(rows[1]).toMatchObject({ total: 0, shares: null, behind: null });
  });
});

describe('trendWindows: one point per month, the badge rule at each month end', () => {
  const now = new Date('2026-11-20T12:00:00-03:00');
  const windows = trendWindows(now, policy);

  it('when asked on 20 Nov 2026 then the 12 months run from Dec 2025 to Nov 2026, oldest first', () => {
    expect(windows.map((w) => w.month)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
    ]);
    expect(windows[0]!.label).toBe('diciembre de 2025');
    expect(windows[11]!.shortLabel).toBe('nov 2026');
  });

  it('when a month is over then its point is its last millisecond in Asunción', () => {
    expect(windows[10]!.at.toISOString()).toBe(
      new Date(new Date('2026-11-01T00:00:00-03:00').getTime() - 1).toISOString(),
    );
    expect(windows[10]!.partial).toBe(false);
  });

  it('when the month is the current one then its point is now', () => {
    expect(windows[11]!.at).toEqual(now);
    expect(windows[11]!.partial).toBe(true);
  });

  it('when a window is built then its lower bound is the badge cutoff at its point', () => {
    for (const w of windows) expect(w.after).toEqual(staleCutoff(w.at, policy));
    // 31 Oct 23:59:59.999 − 3 months = 31 Jul 23:59:59.999; the cutoff is 1 ms before.
    expect(windows[10]!.after.toISOString()).toBe(
      new Date(new Date('2026-08-01T00:00:00-03:00').getTime() - 2).toISOString(),
    );
  });

  it('when points are built then each share is verified users over the population', () => {
    const points = trendPoints(windows.slice(0, 2), [1, 3], 4);
    expect(points.map((p) => p.share)).toEqual([25, 75]);
    expect(trendPoints(windows.slice(0, 1), [0], 0)[0]!.share).toBeNull();
  });
});

describe('the charts: geometry for the server-rendered SVG', () => {
  const points = trendPoints(trendWindows(new Date('2026-11-20T12:00:00-03:00'), policy), [], 4);
  points[0]!.share = 100;
  points[1]!.share = 50;

  it('when a month is at 100 % then its bar spans the plot; at 50 % half of it', () => {
    const chart = trendChart(points);
    const plotHeight = chart.plot.bottom - chart.plot.top;
    expect(chart.bars[0]).toMatchObject({ y: chart.plot.top, height: plotHeight });
    expect(chart.bars[1]!.height).toBeCloseTo(plotHeight / 2, 1);
    expect(chart.bars[0]!.value).toBe('100 %');
    expect(chart.bars[1]!.value).toBe('50 %');
  });

  it('when months are labelled then the year shows under the first bar and under January', () => {
    const chart = trendChart(points);
    expect(chart.bars.filter((b) => b.year).map((b) => `${b.month} ${b.year}`)).toEqual([
      'dic 2025',
      'ene 2026',
    ]);
    expect(chart.bars[11]!.partial).toBe(true);
  });

  it('when a región is stacked then its segments fill the bar in order and skip empty ones', () => {
    const chart = stackChart(
      furthestBehindFirst([unit('Central', 1, 0, 3), unit('Vacía', 0, 0, 0)]),
    );
    expect(chart.rows).toHaveLength(1);
    const segments = chart.rows[0]!.segments;
    expect(segments.map((s) => s.state)).toEqual(['verified', 'never']);
    expect(segments[0]!.x).toBe(chart.barLeft);
    expect(segments[1]!.x + segments[1]!.width).toBeCloseTo(chart.barLeft + chart.barWidth, 1);
    expect(chart.rows[0]!.behind).toBe('75 % sin verificar');
  });

  it('when a percentage is formatted then it uses the decimal comma', () => {
    expect(formatPercent(12.5)).toBe('12,5 %');
  });
});
