import type { AdoptionRow, TrendPoint } from './figures';

/**
 * Geometry of the dashboard's two charts, computed here so the view only draws rectangles and
 * text (inline SVG: no script, nothing for the CSP to allow). Coordinates are in the SVG's
 * viewBox units, rounded to one decimal.
 */

const r1 = (n: number) => Math.round(n * 10) / 10;

export interface Tick {
  y: number;
  label: string;
}

export interface TrendBar {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Centre of the bar, for its labels. */
  cx: number;
  value: string;
  month: string;
  /** The year under January's and the first bar's month. */
  year: string | null;
  partial: boolean;
}

export interface TrendChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  ticks: Tick[];
  bars: TrendBar[];
}

/** Vertical bars, one per month: share of the population with a verified badge at month end. */
export function trendChart(points: TrendPoint[]): TrendChart {
  const width = 640;
  const height = 260;
  const plot = { left: 48, top: 20, right: width - 8, bottom: height - 44 };
  const plotHeight = plot.bottom - plot.top;
  const slot = (plot.right - plot.left) / Math.max(points.length, 1);
  const yOf = (share: number) => plot.top + plotHeight * (1 - share / 100);
  return {
    width,
    height,
    plot,
    ticks: [0, 25, 50, 75, 100].map((v) => ({ y: r1(yOf(v)), label: `${v} %` })),
    bars: points.map((p, i) => {
      const share = p.share ?? 0;
      const [month, year] = p.shortLabel.split(' ');
      return {
        x: r1(plot.left + slot * i + slot * 0.2),
        y: r1(yOf(share)),
        width: r1(slot * 0.6),
        height: r1(plotHeight * (share / 100)),
        cx: r1(plot.left + slot * (i + 0.5)),
        value: p.share === null ? '–' : `${formatPercent(p.share)}`,
        month: month ?? p.shortLabel,
        year: i === 0 || p.month.endsWith('-01') ? (year ?? null) : null,
        partial: p.partial,
      };
    }),
  };
}

export interface StackSegment {
  state: 'verified' | 'stale' | 'never';
  x: number;
  width: number;
}

export interface StackRow {
  name: string;
  y: number;
  segments: StackSegment[];
  /** "45,5 % sin verificar" beside the bar. */
  behind: string;
}

export interface StackChart {
  width: number;
  height: number;
  barLeft: number;
  barWidth: number;
  rowHeight: number;
  rows: StackRow[];
}

/** Horizontal 100 % bars per región (verified, stale, never), in the order given. */
export function stackChart(rows: AdoptionRow[]): StackChart {
  const rowHeight = 28;
  const barLeft = 170;
  const barWidth = 340;
  const shown = rows.filter((row) => row.shares !== null);
  return {
    width: 660,
    height: shown.length * rowHeight + 8,
    barLeft,
    barWidth,
    rowHeight,
    rows: shown.map((row, i) => {
      let x = barLeft;
      const segments = (['verified', 'stale', 'never'] as const).map((state) => {
        const w = (barWidth * row.shares![state]) / 100;
        const segment = { state, x: r1(x), width: r1(w) };
        x += w;
        return segment;
      });
      return {
        name: row.unit.name.length > 24 ? `${row.unit.name.slice(0, 23)}…` : row.unit.name,
        y: 4 + i * rowHeight,
        segments: segments.filter((s) => s.width > 0),
        behind: `${formatPercent(row.behind ?? 0)} sin verificar`,
      };
    }),
  };
}

const numberFormat = new Intl.NumberFormat('es-PY', { maximumFractionDigits: 1 });
const countFormat = new Intl.NumberFormat('es-PY', { maximumFractionDigits: 0 });

/** "45,5 %", as Paraguay writes it. */
export const formatPercent = (value: number): string => `${numberFormat.format(value)} %`;

/** "1.234". */
export const formatCount = (value: number): string => countFormat.format(value);
