/**
 * Charts drawn on the server (no client script, no external assets): a line for a monthly series as inline
 * SVG 300 units wide, so that its 12-unit labels are drawn at 12 px or more wherever its card is at least 300 px
 * wide (a 360 px phone and up; measured in the liaison journey of test/web/workbench.browser.test.ts); bars
 * for a rate per unit or per figure as HTML, so that long Chinese unit names wrap instead of being cut. Every
 * mark carries its value as text, so the figures stay readable without colour.
 *
 * Why not ECharts' server-side rendering (issue 23 asked; tried with echarts 5, renderToSVGString, ssr: true):
 * its SVG is drawn for one pixel width given at render time, which the server does not know (a card is ~525 px
 * at 1400 and ~332 px at 390), so a chart drawn for one width shows its 12 px labels at 7–8 px on the other
 * (the very defect of the first charts); its bars carry no link (not even title.link survives SSR), so the
 * drill-down from a bar to its cases would need echarts' client runtime in the page; its SVG has no role or
 * label for assistive technology; and it adds ~1 MB (335 KB gzipped) to the Worker. Its output does fit our
 * CSP (inline style attributes and a <style> element, no script). These two small charts stay here instead.
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

export const LineChart: FC<{ title: string; points: SeriesPoint[]; width?: number; height?: number; color?: string; id?: string; axisLabel?: string }> = ({
  title,
  points,
  width = 300,
  height = 190,
  color = '#1f5fa8',
  id,
  axisLabel,
}) => {
  const m = { l: 30, r: 8, t: 20, b: axisLabel ? 40 : 26 };
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
    <svg
      class="chart"
      role="img"
      aria-label={title}
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      preserveAspectRatio="xMidYMid meet"
      data-chart={id ?? 'line'}
    >
      <title>{title}</title>
      {ticks.map((t) => (
        <g>
          <line x1={m.l} x2={width - m.r} y1={y(t)} y2={y(t)} stroke="#e3e6ea" stroke-width="1" />
          <text x={m.l - 5} y={y(t) + 4} text-anchor="end" font-size="12" fill="#454e59">
            {fmtNumber(t)}
          </text>
        </g>
      ))}
      <line x1={m.l} x2={width - m.r} y1={m.t + h} y2={m.t + h} stroke="#9aa3ad" stroke-width="1" />
      {axisLabel ? (
        <text x={m.l + w / 2} y={height - 4} text-anchor="middle" font-size="12" fill="#454e59">
          {axisLabel}
        </text>
      ) : null}
      {points.length > 1 ? <path d={path} fill="none" stroke={color} stroke-width="2.5" stroke-linejoin="round" /> : null}
      {points.map((p, i) => (
        <g class="point" data-label={p.label} data-value={String(p.value)}>
          <circle cx={x(i)} cy={y(p.value)} r="3.5" fill="#fff" stroke={color} stroke-width="2">
            <title>{`${p.label}：${fmtNumber(p.value)}`}</title>
          </circle>
          {p.value > 0 ? (
            <text x={x(i)} y={y(p.value) - 7} text-anchor="middle" font-size="12" font-weight="600" fill="#1d2733">
              {fmtNumber(p.value)}
            </text>
          ) : null}
          <text x={x(i)} y={m.t + h + 16} text-anchor="middle" font-size="12" fill="#454e59">
            {p.label}
          </text>
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
  /** Where the label leads: the items behind the figure. */
  href?: string;
}

/** Horizontal bars, one row each, as HTML: the label wraps (long Chinese unit names are never cut). Rates by default (0–100%). */
export const BarChart: FC<{ title: string; items: BarItem[]; color?: string; max?: number; format?: (v: number) => string; id?: string; empty?: string }> = ({
  title,
  items,
  color = '#b03a2e',
  max,
  format = (v) => `${(v * 100).toFixed(1)}%`,
  id,
  empty = '无数据',
}) => {
  const top = max ?? 1;
  const pct = (v: number) => `${((Math.max(0, Math.min(v, top)) / top) * 100).toFixed(1)}%`;
  return (
    <figure class="chart" data-chart={id ?? 'bars'} style="margin:0">
      <figcaption class="muted small">{title}</figcaption>
      {items.length === 0 ? (
        <p class="empty">{empty}</p>
      ) : (
        <ul class="hbars">
          {items.map((it) => (
            <li class="bar" data-label={it.label} data-value={it.value === null ? '' : String(it.value)}>
              <span class="label">{it.href ? <a href={it.href}>{it.label}</a> : it.label}</span>
              <span class="track" aria-hidden="true">
                {it.value !== null ? <span class="fill" style={`width:${pct(it.value)};background:${color}`}></span> : null}
              </span>
              <span class="val">
                {it.value === null ? '—' : format(it.value)}
                {it.note ? `（${it.note}）` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
};
