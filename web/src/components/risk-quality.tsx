/**
 * The dashboard's risk-model section (issue 14): how the model in force does on tickets solved
 * since it was trained — ROC-AUC, tickets measured, Brier score, calibration error — and the
 * calibration plot (mean predicted vs observed share per score bin, the diagonal as reference),
 * drawn with the dashboard's own Chart. Says "retrain" when the server advises it, and how to
 * activate a model when none is in force.
 */
import { errorText } from '../api.ts';
import { riskQuality, type ReliabilityBin } from '../api/risk.ts';
import { pct, when } from '../format.ts';
import { usePoll } from '../use-poll.ts';
import { Chart, COLORS } from './charts.tsx';
import '../risk.css';

const fixed = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const binLabel = (b: ReliabilityBin) => `${Math.round(b.from * 100)}–${Math.round(b.to * 100)}%`;

export function RiskQualitySection({ team }: { team?: string }) {
  const polled = usePoll(() => riskQuality(team || undefined), [team ?? ''], 60_000);
  const q = polled.data;
  return (
    <section className="risk-quality" aria-labelledby="risk-quality-heading" data-section="risk-quality">
      <h2 id="risk-quality-heading">Risk model</h2>
      {polled.error !== null && polled.error !== undefined && (
        <p className="error" role="alert">
          Could not load the model's quality: {errorText(polled.error)}
        </p>
      )}
      {!q && polled.loading && <p className="muted">Loading the model's quality…</p>}
      {q && !q.model && (
        <div className="notice" data-empty="no-model">
          <p>
            <strong>No risk model is in force.</strong> Train one on your history with <code>escalon risk train --from-db --out MODEL.json</code>, then an admin activates it
            with <code>escalon risk use MODEL.json</code>.
          </p>
        </div>
      )}
      {q?.model && (
        <>
          <p className="muted small">
            Model <code title={q.model.id}>{q.model.id.slice(0, 12)}</code> (version {q.model.version}, predicts {q.model.target === 'escalation' ? 'escalation' : 'an SLA breach'}), trained{' '}
            {when(q.model.trained_at)} on {q.model.tickets} tickets, validation AUC {fixed(q.model.validation.auc)}, in force since {when(q.model.activated_at)}. Measured on {q.window.description}.
          </p>
          {q.retrain.advised && (
            <div className="retrain" role="status" data-retrain="advised">
              <strong>Time to retrain:</strong>
              <ul>
                {q.retrain.why.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
              <span className="small">
                Run <code>escalon risk train --from-db --out MODEL.json</code> and activate the new model with <code>escalon risk use MODEL.json</code>.
              </span>
            </div>
          )}
          {q.reason && <p className="notice small">{q.reason}</p>}
          <div className="tiles">
            <Tile title="AUC (opening score)" value={fixed(q.auc)} sub={`validation ${fixed(q.model.validation.auc)}`} />
            <Tile title="Tickets measured" value={String(q.n)} sub={`${q.positives} ${q.model.target === 'escalation' ? 'escalated' : 'breached'}`} />
            <Tile title="Brier score" value={fixed(q.brier, 3)} sub="0 is perfect" />
            <Tile title="Calibration error" value={q.calibration_error === null ? '—' : pct(q.calibration_error)} sub="mean gap, predicted vs observed" />
          </div>
          {q.reliability.length > 0 && (
            <div className="charts">
              <Chart
                title="Calibration: predicted vs observed per score bin"
                categories={q.reliability.map(binLabel)}
                yLabel="share of tickets"
                yMax={1}
                empty="No ticket measured yet."
                series={[
                  { label: 'observed', kind: 'bar', values: q.reliability.map((b) => b.observed), color: COLORS.warn, format: (v) => pct(v) },
                  { label: 'predicted (mean score)', kind: 'line', values: q.reliability.map((b) => b.predicted), color: COLORS.info, format: (v) => pct(v) },
                  { label: 'perfect calibration', kind: 'line', values: q.reliability.map((b) => (b.from + b.to) / 2), color: COLORS.line, format: (v) => pct(v) },
                ]}
              />
              <Chart
                title="Tickets per score bin"
                categories={q.reliability.map(binLabel)}
                yLabel="tickets"
                integerAxis
                series={[{ label: 'tickets', kind: 'bar', values: q.reliability.map((b) => b.n), color: COLORS.info, format: (v) => String(Math.round(v)) }]}
              />
            </div>
          )}
        </>
      )}
    </section>
  );
}

function Tile({ title, value, sub }: { title: string; value: string; sub?: string }) {
  return (
    <div className="tile">
      <div className="tile-title">{title}</div>
      <div className="tile-value">{value}</div>
      {sub && <div className="tile-sub muted small">{sub}</div>}
    </div>
  );
}
