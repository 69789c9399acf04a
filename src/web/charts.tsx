/**
 * Charts drawn on the server as inline SVG (no client script, no external assets): a line for a monthly
 * series, horizontal bars for a rate per unit or per figure. Each chart is an <svg role="img"> with a
 * <title>; every mark carries its value as text, so the figures stay readable without colour.
 */
import type { FC } from 'hono/jsx';

export interface SeriesPoint {
  label: string;
  value: number;
}

/** The smallest "nice" number ≥ x (1, 2 or 5 × 10^n), for the top of an axis. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

const fmtNumber = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export const LineChart: FC<{ title: string; points: SeriesPoint[]; width?: number; height?: number; color?: string; id?: string }> = ({ title, points, width = 640, height = 240, color = '#1f5fa8', id }) => {
  const m = { l: 44, r: 16, t: 24, b: 34 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  // Counts: whole-number ticks (0…4 at least), four or five steps.
  const top = Math.max(4, niceCeil(Math.max(...points.map((p) => p.value), 0)));
  const step = Number.isInteger(top / 4) ? top / 4 : top / 5;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const x = (i: number) => m.l + (points.length <= 1 ? w / 2 : (i * w) / (points.length - 1));
  const y = (v: number) => m.t + h - (v / top) * h;
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  return (
    <svg class="chart" role="img" aria-label={title} viewBox={`0 0 ${width} ${height}`} width="100%" preserveAspectRatio="xMidYMid meet" data-chart={id ?? 'line'}>
      <title>{title}</title>
      {ticks.map((t) => (
        <g>
          <line x1={m.l} x2={width - m.r} y1={y(t)} y2={y(t)} stroke="#e3e6ea" stroke-width="1" />
          <text x={m.l - 6} y={y(t) + 4} text-anchor="end" font-size="11" fill="#5b6470">{fmtNumber(t)}</text>
        </g>
      ))}
      <line x1={m.l} x2={width - m.r} y1={m.t + h} y2={m.t + h} stroke="#9aa3ad" stroke-width="1" />
      {points.length > 1 ? <path d={path} fill="none" stroke={color} stroke-width="2.5" stroke-linejoin="round" /> : null}
      {points.map((p, i) => (
        <g class="point" data-label={p.label} data-value={String(p.value)}>
          <circle cx={x(i)} cy={y(p.value)} r="3.5" fill="#fff" stroke={color} stroke-width="2">
            <title>{`${p.label}：${fmtNumber(p.value)}`}</title>
          </circle>
          {p.value > 0 ? <text x={x(i)} y={y(p.value) - 8} text-anchor="middle" font-size="11" fill="#1d2733">{fmtNumber(p.value)}</text> : null}
          <text x={x(i)} y={height - 12} text-anchor="middle" font-size="11" fill="#5b6470">{p.label}</text>
        </g>
      ))}
    </svg>
  );
};

export interface BarItem {
  label: string;
  /** A rate in 0…1 (or a count when max is given); null: nothing to divide (no denominator). */
  value: number | null;
  /** Shown after the value, e.g. "2/5". */
  note?: string;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Horizontal bars, one row each (long Chinese unit names fit on the left). Rates by default (0–100%). */
export const BarChart: FC<{ title: string; items: BarItem[]; width?: number; color?: string; max?: number; format?: (v: number) => string; id?: string; empty?: string }> = ({
  title,
  items,
  width = 640,
  color = '#c0392b',
  max,
  format = (v) => `${(v * 100).toFixed(1)}%`,
  id,
  empty = '无数据',
}) => {
  const row = 28;
  const m = { l: 190, r: 110, t: 8, b: 22 };
  const height = m.t + m.b + Math.max(1, items.length) * row;
  const w = width - m.l - m.r;
  const top = max ?? 1;
  const scale = (v: number) => (Math.max(0, Math.min(v, top)) / top) * w;
  return (
    <svg class="chart" role="img" aria-label={title} viewBox={`0 0 ${width} ${height}`} width="100%" preserveAspectRatio="xMidYMid meet" data-chart={id ?? 'bars'}>
      <title>{title}</title>
      {[0, 0.5, 1].map((f) => (
        <g>
          <line x1={m.l + f * w} x2={m.l + f * w} y1={m.t} y2={height - m.b} stroke="#e3e6ea" stroke-width="1" />
          <text x={m.l + f * w} y={height - 6} text-anchor="middle" font-size="10" fill="#5b6470">{format(f * top)}</text>
        </g>
      ))}
      {items.length === 0 ? (
        <text x={m.l + w / 2} y={m.t + row / 2 + 4} text-anchor="middle" font-size="12" fill="#5b6470">{empty}</text>
      ) : null}
      {items.map((it, i) => {
        const cy = m.t + i * row + row / 2;
        return (
          <g class="bar" data-label={it.label} data-value={it.value === null ? '' : String(it.value)}>
            <text x={m.l - 8} y={cy + 4} text-anchor="end" font-size="12" fill="#1d2733">
              {clip(it.label, 15)}
              <title>{it.label}</title>
            </text>
            <rect x={m.l} y={cy - 9} width={w} height="18" fill="#f3f5f7" />
            {it.value !== null ? <rect x={m.l} y={cy - 9} width={Math.max(it.value > 0 ? 1.5 : 0, scale(it.value))} height="18" fill={color} /> : null}
            <text x={m.l + w + 8} y={cy + 4} font-size="12" fill="#1d2733">
              {it.value === null ? '—' : format(it.value)}
              {it.note ? ` (${it.note})` : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
};
