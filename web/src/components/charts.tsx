/** Plain SVG charts: horizontal bars, and a line-over-bars trend. Each is an img with a text alternative. */
export interface Bar {
  label: string;
  value: number | null;
  /** Shown at the bar's end; defaults to the value. */
  text?: string;
  tone?: 'ok' | 'warn' | 'breach' | 'info';
}

export function BarChart({ title, bars, max, empty = 'No data in this period.' }: { title: string; bars: Bar[]; max?: number; empty?: string }) {
  const rowH = 26;
  const labelW = 130;
  const width = 480;
  const barW = width - labelW - 150;
  const top = Math.max(max ?? 0, ...bars.map((b) => b.value ?? 0), 0) || 1;
  const height = Math.max(1, bars.length) * rowH + 8;
  const desc = bars.map((b) => `${b.label}: ${b.text ?? b.value ?? '—'}`).join('; ');
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="muted small chart-empty">{empty}</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}: ${desc}`} preserveAspectRatio="xMinYMin meet">
          {bars.map((b, i) => {
            const y = i * rowH + 4;
            const w = b.value === null ? 0 : Math.max(1, (b.value / top) * barW);
            return (
              <g key={`${b.label}-${i}`} className={`bar bar-${b.tone ?? 'info'}`}>
                <text x={labelW - 8} y={y + rowH / 2 + 4} textAnchor="end" className="axis-label">
                  {b.label.length > 16 ? `${b.label.slice(0, 15)}…` : b.label}
                </text>
                <rect x={labelW} y={y + 3} width={w} height={rowH - 8} rx="3" />
                <text x={labelW + w + 6} y={y + rowH / 2 + 4} className="value-label">
                  {b.text ?? (b.value === null ? '—' : String(b.value))}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

export interface TrendPoint {
  label: string;
  bars: number;
  bars2?: number;
  line: number | null;
}

/** Bars (e.g. tickets created, escalated) with a line (e.g. escalation rate, 0–1 or any scale) over buckets. */
export function TrendChart({ title, points, barLabel, bar2Label, lineLabel, lineFormat }: { title: string; points: TrendPoint[]; barLabel: string; bar2Label?: string; lineLabel: string; lineFormat: (v: number) => string }) {
  const width = 480;
  const height = 220;
  const padL = 36;
  const padR = 48;
  const padB = 34;
  const padT = 12;
  const plotW = width - padL - padR;
  const plotH = height - padT - padB;
  const barMax = Math.max(1, ...points.map((p) => Math.max(p.bars, p.bars2 ?? 0)));
  const lineVals = points.map((p) => p.line).filter((v): v is number => v !== null);
  const lineMax = Math.max(...lineVals, 0) || 1;
  const step = plotW / Math.max(1, points.length);
  const bw = Math.max(2, step * (bar2Label ? 0.38 : 0.7));
  const x = (i: number) => padL + i * step + step / 2;
  const yBar = (v: number) => padT + plotH - (v / barMax) * plotH;
  const yLine = (v: number) => padT + plotH - (v / lineMax) * plotH;
  const path = points
    .map((p, i) => (p.line === null ? null : `${x(i).toFixed(1)},${yLine(p.line).toFixed(1)}`))
    .filter((s): s is string => s !== null);
  const every = Math.ceil(points.length / 6);
  const desc = points.map((p) => `${p.label}: ${barLabel} ${p.bars}${bar2Label ? `, ${bar2Label} ${p.bars2 ?? 0}` : ''}, ${lineLabel} ${p.line === null ? '—' : lineFormat(p.line)}`).join('; ');
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}. ${desc}`}>
        <line x1={padL} x2={width - padR} y1={padT + plotH} y2={padT + plotH} className="axis" />
        <text x={padL - 6} y={padT + 8} textAnchor="end" className="axis-label">
          {barMax}
        </text>
        <text x={width - padR + 6} y={padT + 8} className="axis-label line-label">
          {lineFormat(lineMax)}
        </text>
        {points.map((p, i) => (
          <g key={p.label}>
            <rect className="bar bar-info" x={x(i) - (bar2Label ? bw : bw / 2)} y={yBar(p.bars)} width={bw} height={Math.max(0, padT + plotH - yBar(p.bars))} />
            {bar2Label && <rect className="bar bar-warn" x={x(i)} y={yBar(p.bars2 ?? 0)} width={bw} height={Math.max(0, padT + plotH - yBar(p.bars2 ?? 0))} />}
            {i % every === 0 && (
              <text x={x(i)} y={height - padB + 16} textAnchor="middle" className="axis-label">
                {p.label.slice(5)}
              </text>
            )}
          </g>
        ))}
        {path.length > 1 && <polyline points={path.join(' ')} className="trend-line" fill="none" />}
        {points.map((p, i) => (p.line === null ? null : <circle key={`c${p.label}`} cx={x(i)} cy={yLine(p.line)} r="2.5" className="trend-dot" />))}
      </svg>
      <p className="legend small">
        <span className="key-box bar-info" /> {barLabel} {bar2Label && (<><span className="key-box bar-warn" /> {bar2Label} </>)}
        <span className="key-line" /> {lineLabel} (right scale)
      </p>
    </figure>
  );
}
