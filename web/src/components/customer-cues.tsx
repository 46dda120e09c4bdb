/**
 * The customer's cues (staff only): sentiment of each customer message (−1 angry … 1 happy) as a
 * small line with its trend, and every risk flag with the words or signals that set it and when.
 * The same triage the escalation rules read.
 */
import { label, when } from '../format.ts';
import { useRequesterView } from './requester-panel.tsx';

const W = 160;
const H = 36;

function Sparkline({ values }: { values: number[] }) {
  if (values.length < 2) return null;
  const x = (i: number) => (i * W) / (values.length - 1);
  const y = (v: number) => ((1 - v) / 2) * H;
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`sentiment per message: ${values.join(', ')}`} className="sparkline">
      <line x1={0} x2={W} y1={H / 2} y2={H / 2} stroke="#c9ced8" strokeDasharray="3 3" />
      <polyline points={points} fill="none" stroke="#3a5a8c" strokeWidth={2} />
    </svg>
  );
}

// Words are quoted; described signals (`shouting: "…"`, `"!!!"`, `sentiment -0.8 (…)`) are shown as they are.
const quoted = (w: string) => (w.includes('"') || w.startsWith('sentiment ') ? w : `“${w}”`);

const mood = (v: number) => (v <= -0.5 ? 'angry' : v < -0.1 ? 'unhappy' : v < 0.1 ? 'neutral' : v < 0.5 ? 'content' : 'happy');

export function CustomerCuesPanel({ ticketKey, version }: { ticketKey: string; version: number }) {
  const cues = useRequesterView(ticketKey, version).data?.cues;
  if (!cues) return null;
  const latest = cues.sentiment.at(-1);
  return (
    <section className="card cues" aria-label="Customer cues">
      <h2>Customer cues</h2>
      {latest && (
        <p className="small">
          Sentiment <strong>{mood(latest.value)}</strong> ({latest.value.toFixed(2)})
          {cues.trend && (
            <>
              {' '}
              · <span className={`trend trend-${cues.trend.direction}`}>{cues.trend.direction}</span> since the first message ({cues.trend.first.toFixed(2)} → {cues.trend.latest.toFixed(2)})
            </>
          )}
        </p>
      )}
      <Sparkline values={cues.sentiment.map((s) => s.value)} />
      <h3 className="small">Risk flags</h3>
      <ul className="plain small flags">
        {cues.flags.map((f, i) => (
          <li key={`${f.flag}-${i}`} data-flag={f.flag}>
            <span className="badge ack">{label(f.flag)}</span> {f.words.map(quoted).join(', ')} <span className="muted">({f.source === 'ticket' ? 'in the request' : 'in a reply'}, {when(f.at)})</span>
          </li>
        ))}
        {cues.flags.length === 0 && <li className="muted">none</li>}
      </ul>
    </section>
  );
}
