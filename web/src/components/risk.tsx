/**
 * Escalation risk on screen (issue 14): the badge (band and percentage; the model and the
 * moment in its tooltip) and the reasons panel of a ticket, each reason with its effect in
 * percentage points. Staff only: the server sends no risk to customers.
 */
import { when } from '../format.ts';
import { effectPoints, riskPercent, type RiskBand, type RiskView } from '../api/risk.ts';
import '../risk.css';

const BAND_TEXT: Record<RiskBand, string> = { low: 'low risk', medium: 'medium risk', high: 'high risk' };

/** "high risk 72%": the probability the model gives the bad outcome. */
export function RiskBadge({ score, band, at, model }: { score: number; band: RiskBand; at?: string | null | undefined; model?: string | null | undefined }) {
  const detail = [`Escalation risk ${riskPercent(score)} (${band})`, model ? `model ${model.slice(0, 12)}` : null, at ? `scored ${when(at)}` : null].filter(Boolean).join(' · ');
  return (
    <span className={`badge risk risk-${band}`} title={detail} data-risk={band}>
      {BAND_TEXT[band]} {riskPercent(score)}
    </span>
  );
}

/** The ticket page's panel: the badge, what moved the score most, and which model said so when. */
export function RiskPanel({ risk }: { risk: RiskView | null }) {
  return (
    <section className="card risk-panel" aria-labelledby="risk-heading">
      <h2 id="risk-heading">Escalation risk</h2>
      {!risk ? (
        <p className="muted small">No score yet: the ticket is scored once a risk model is in force.</p>
      ) : (
        <>
          <p>
            <RiskBadge score={risk.score} band={risk.band} at={risk.at} model={risk.model} />
          </p>
          {risk.reasons.length > 0 && (
            <ul className="risk-reasons" aria-label="Why">
              {risk.reasons.map((r) => (
                <li key={r.feature}>
                  <span className={r.effect >= 0 ? 'effect up' : 'effect down'}>{effectPoints(r.effect)}</span> {r.feature}
                </li>
              ))}
            </ul>
          )}
          <p className="muted small">
            Model <code title={risk.model ?? ''}>{(risk.model ?? '—').slice(0, 12)}</code> · scored {when(risk.at)}
          </p>
        </>
      )}
    </section>
  );
}

/** The badge of a list row: the staff ticket list carries risk_score and risk_band (other queues do not: nothing shown). */
export function ListRiskBadge({ ticket }: { ticket: object }) {
  const t = ticket as { risk_score?: unknown; risk_band?: unknown };
  if (typeof t.risk_score !== 'number' || (t.risk_band !== 'low' && t.risk_band !== 'medium' && t.risk_band !== 'high')) return null;
  return <RiskBadge score={t.risk_score} band={t.risk_band} />;
}
