/**
 * The dashboard's charts, drawn by uPlot (small, fast, canvas): categories or time buckets on
 * the x axis, bars and lines with labelled axes (a second axis on the right for a line on its own
 * scale), a legend, and a tooltip that follows the cursor with every series' formatted value.
 * Each chart also carries a text alternative (aria-label) with the same figures.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: Array<number | null>;
  kind: 'bar' | 'line';
  /** `y` (left axis) or `y2` (right axis). */
  scale?: 'y' | 'y2';
  color: string;
  format: (v: number) => string;
}

export interface ChartProps {
  title: string;
  /** The x categories (levels, teams, reasons) or time buckets, in order. */
  categories: string[];
  series: Series[];
  /** Axis titles. */
  yLabel: string;
  y2Label?: string;
  /** A fixed top for the left axis (e.g. 1 for rates). */
  yMax?: number;
  empty?: string;
  height?: number;
  /** The left axis counts things: whole-number ticks only. */
  integerAxis?: boolean;
}

export const COLORS = { info: '#3c78c3', warn: '#d98c1f', ok: '#3a9d63', breach: '#d2483c', line: '#6b3fa0' };

function tooltipPlugin(categories: string[], series: Series[]): uPlot.Plugin {
  let tip: HTMLDivElement | null = null;
  return {
    hooks: {
      init: (u) => {
        tip = document.createElement('div');
        tip.className = 'chart-tooltip';
        tip.setAttribute('role', 'status');
        tip.style.display = 'none';
        u.over.appendChild(tip);
        u.over.addEventListener('mouseleave', () => {
          if (tip) tip.style.display = 'none';
        });
      },
      setCursor: (u) => {
        const i = u.cursor.idx;
        if (!tip) return;
        if (i === null || i === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
          tip.style.display = 'none';
          return;
        }
        const lines = series.map((s) => {
          const v = s.values[i];
          return `<div><span class="swatch" style="background:${s.color}"></span>${escapeHtml(s.label)}: <b>${v === null || v === undefined ? '—' : escapeHtml(s.format(v))}</b></div>`;
        });
        tip.innerHTML = `<div class="tip-title">${escapeHtml(categories[i] ?? '')}</div>${lines.join('')}`;
        tip.style.display = 'block';
        const left = Math.min(u.cursor.left + 12, u.over.clientWidth - tip.offsetWidth - 4);
        tip.style.left = `${Math.max(0, left)}px`;
        tip.style.top = `${Math.max(0, (u.cursor.top ?? 0) - tip.offsetHeight - 8)}px`;
      },
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * uPlot's bar builder. Several bar series are nested, each narrower than the one before and
 * drawn over it (e.g. escalated inside created, median inside p90): list the larger one first.
 */
function barPaths(index: number): uPlot.Series.PathBuilder | undefined {
  const bars = uPlot.paths.bars;
  if (!bars) return undefined;
  return bars({ size: [0.7 * 0.55 ** index, 80], gap: 0, align: 0 });
}

export function Chart({ title, categories, series, yLabel, y2Label, yMax, empty = 'No data in this period.', height = 240, integerAxis = false }: ChartProps) {
  const holder = useRef<HTMLDivElement>(null);
  const desc = categories
    .map((c, i) => `${c}: ${series.map((s) => `${s.label} ${s.values[i] === null || s.values[i] === undefined ? '—' : s.format(s.values[i] as number)}`).join(', ')}`)
    .join('; ');
  const hasData = categories.length > 0 && series.some((s) => s.values.some((v) => v !== null));

  useEffect(() => {
    const el = holder.current;
    if (!el || !hasData) return;
    let barIndex = 0;
    const xs = categories.map((_, i) => i);
    const dates = categories.every((c) => /^\d{4}-\d{2}-\d{2}/.test(c));
    const left = series.find((s) => (s.scale ?? 'y') === 'y');
    const right = series.find((s) => s.scale === 'y2');
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: {
        x: { time: false, range: () => [-0.6, categories.length - 0.4] },
        y: { range: (_u, _min, max) => [0, yMax ?? (max > 0 ? max * 1.1 : 1)] },
        ...(right ? { y2: { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.1 : 1] as uPlot.Range.MinMax } } : {}),
      },
      axes: [
        {
          // As many labels as fit (about 70 px each), dates shortened to MM-DD.
          values: (u, splits) => {
            const every = dates ? Math.max(1, Math.ceil(categories.length / Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / 70)))) : 1;
            return splits.map((v) => (Number.isInteger(v) && v % every === 0 ? shorten(categories[v] ?? '') : ''));
          },
          splits: () => xs,
          gap: 4,
          size: !dates && categories.length > 3 ? 60 : 40,
          rotate: !dates && categories.length > 3 ? -30 : 0,
          font: '12px system-ui, sans-serif',
          grid: { show: false },
        },
        {
          label: yLabel,
          labelFont: '12px system-ui, sans-serif',
          font: '11px system-ui, sans-serif',
          values: (_u, splits) => splits.map((v) => (left ? left.format(v) : String(v))),
          ...(integerAxis ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000] } : {}),
          size: 56,
        },
        ...(right
          ? [
              {
                scale: 'y2',
                side: 1 as const,
                label: y2Label ?? right.label,
                labelFont: '12px system-ui, sans-serif',
                font: '11px system-ui, sans-serif',
                values: (_u: uPlot, splits: number[]) => splits.map((v) => right.format(v)),
                grid: { show: false },
                size: 56,
              },
            ]
          : []),
      ],
      series: [
        { label: 'x' },
        ...series.map((s): uPlot.Series => {
          const base = { label: s.label, scale: s.scale ?? 'y', stroke: s.color, value: (_u: uPlot, v: number | null) => (v === null ? '—' : s.format(v)) };
          if (s.kind === 'bar') {
            const paths = barPaths(barIndex++);
            return { ...base, fill: s.color, width: 0, paths, points: { show: false } };
          }
          return { ...base, width: 2, points: { show: true, size: 6, fill: s.color } };
        }),
      ],
      plugins: [tooltipPlugin(categories, series)],
    };
    const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values.map((v) => v ?? null))];
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [JSON.stringify(categories), JSON.stringify(series.map((s) => [s.label, s.values, s.kind, s.scale, s.color])), yLabel, y2Label, yMax, height, hasData, integerAxis]);

  return (
    <figure className="chart" data-chart={title}>
      <figcaption>{title}</figcaption>
      {hasData ? <div ref={holder} className="uplot-holder" role="img" aria-label={`${title}: ${desc}`} /> : <p className="muted small chart-empty">{empty}</p>}
    </figure>
  );
}

function shorten(label: string): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(label)) return label.slice(5, 10);
  return label.length > 14 ? `${label.slice(0, 13)}…` : label;
}

