/**
 * A policy plan as the API gives it (POST /policy/plan, rollback with dry_run): every section's
 * ids added, removed and changed — levels, teams, SLA policies, rules, calendars, root causes, playbooks —
 * and every SLA clock whose due moment moves. Also the section changes of a diff of two versions.
 */
import type { PolicyChanges, PolicyPlan, SectionChanges } from '../api.ts';
import { when } from '../format.ts';

const SECTIONS: Array<[keyof PolicyChanges, string]> = [
  ['levels', 'Levels'],
  ['teams', 'Teams'],
  ['sla', 'SLA policies'],
  ['rules', 'Rules'],
  ['calendars', 'Calendars'],
  ['root_causes', 'Root causes'],
  ['playbooks', 'Playbooks'],
];

function Changes({ title, c }: { title: string; c: SectionChanges }) {
  const none = c.added.length + c.removed.length + c.changed.length === 0;
  return (
    <div>
      <h3 className="small">{title}</h3>
      {none ? (
        <p className="muted small">no change</p>
      ) : (
        <ul className="plain small">
          {c.added.map((x) => (
            <li key={`a${x}`} className="added">
              + {x}
            </li>
          ))}
          {c.removed.map((x) => (
            <li key={`r${x}`} className="removed">
              − {x}
            </li>
          ))}
          {c.changed.map((x) => (
            <li key={`c${x}`} className="changed">
              ~ {x}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Every section (a plan), or only those that changed (`onlyChanged`, a diff of two versions). */
export function SectionChangesView({ changes, onlyChanged = false }: { changes: PolicyChanges; onlyChanged?: boolean }) {
  const shown = SECTIONS.filter(([k]) => !onlyChanged || changes[k].added.length + changes[k].removed.length + changes[k].changed.length > 0);
  return (
    <>
      {shown.map(([k, title]) => (
        <Changes key={k} title={title} c={changes[k]} />
      ))}
    </>
  );
}

const SHOWN_CLOCKS = 50;

export function PlanView({ plan }: { plan: PolicyPlan }) {
  return (
    <div className="plan">
      <p className="small">
        Version {plan.current_version} → {plan.next_version}
        {plan.rollback_of !== null && ` (the document of version ${plan.rollback_of})`}; {plan.tickets_reapplied} open ticket(s) re-evaluated.
      </p>
      {(plan.warnings ?? []).length > 0 && (
        <>
          <h3 className="small">Warnings ({plan.warnings?.length}) — the policy can still be applied</h3>
          <ul className="plain small warnings" aria-label="Policy warnings">
            {plan.warnings?.map((w, i) => (
              <li key={i} className="warn">
                <code>{w.path}</code>: {w.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <SectionChangesView changes={plan} />
      <h3 className="small">SLA due moments that move ({plan.clocks.length})</h3>
      <ul className="plain small">
        {plan.clocks.slice(0, SHOWN_CLOCKS).map((c, i) => (
          <li key={i}>
            {c.ticket} {c.metric}: {when(c.due_before)} → {when(c.due_after)}
          </li>
        ))}
        {plan.clocks.length > SHOWN_CLOCKS && <li className="muted">… and {plan.clocks.length - SHOWN_CLOCKS} more</li>}
      </ul>
    </div>
  );
}
