/**
 * A ticket's history: its events in order, with the comment bodies inline, and for every
 * automatic escalation the "why" (rule, trigger, each condition with the value it saw).
 * Customers get only the public events and comments the API gives them.
 */
import type { ReactNode } from 'react';
import type { Comment, TicketEvent, TicketNotification } from '../api.ts';
import { duration, label, when } from '../format.ts';
import { AttachmentList } from './attachments.tsx';
import { describeNotification } from '../notification-line.ts';

type P = Record<string, unknown>;
const RECORDED_WHY: Record<string, string> = {
  previous_request_unacknowledged: 'the previous request is not acknowledged yet',
  previous_request_unanswered: 'the previous request is not answered yet',
  already_there: 'already where customer requests go',
  nowhere_higher: 'already at the top level',
};
const s = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));
const isObj = (v: unknown): v is P => typeof v === 'object' && v !== null && !Array.isArray(v);

function Why({ explanation }: { explanation: unknown }) {
  if (!isObj(explanation)) return null;
  const conditions = Array.isArray(explanation.conditions) ? explanation.conditions.filter(isObj) : [];
  return (
    <details className="why" open>
      <summary>Why was this escalated?</summary>
      <p>
        Rule <strong>{s(explanation.rule)}</strong> fired on <code>{s(explanation.trigger)}</code> (policy v{s(explanation.policy_version)}).
        {conditions.length === 0 && ' It has no conditions.'}
      </p>
      {isObj(explanation.risk) && <RiskWhy risk={explanation.risk} />}
      {conditions.length > 0 && (
        <ul className="conditions">
          {conditions.map((c, i) => {
            const exp = isObj(c.expected) && 'source' in c.expected ? `/${s(c.expected.source)}/${s(c.expected.flags ?? '')}` : s(c.expected);
            const actual = s(c.actual);
            return (
              <li key={i} className={c.matched ? 'matched' : 'unmatched'}>
                <span aria-label={c.matched ? 'matched' : 'not matched'}>{c.matched ? '✓' : '✗'}</span> <code>{s(c.field)}</code> {s(c.op)} <code>{exp}</code> — saw <code>{actual.length > 140 ? `${actual.slice(0, 140)}…` : actual}</code>
              </li>
            );
          })}
        </ul>
      )}
    </details>
  );
}

/** A risk rule's decision: the score it saw and what moved it (the model's reasons). */
function RiskWhy({ risk }: { risk: P }) {
  const reasons = Array.isArray(risk.reasons) ? risk.reasons.filter(isObj) : [];
  const pct = typeof risk.score === 'number' ? `${Math.round(risk.score * 100)}%` : s(risk.score);
  return (
    <div className="risk-why">
      <p>
        Escalation risk <strong>{pct}</strong> ({s(risk.band)}), model <code>{s(risk.model).slice(0, 14)}</code>
        {reasons.length > 0 ? ', mostly because of:' : '.'}
      </p>
      {reasons.length > 0 && (
        <ul className="conditions">
          {reasons.map((r, i) => {
            const pts = typeof r.effect === 'number' ? r.effect * 100 : 0;
            return (
              <li key={i}>
                {s(r.feature)} <span className="muted">({pts >= 0 ? '+' : '−'}{Math.abs(pts) < 1 ? '<1' : Math.round(Math.abs(pts))} pts)</span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function Documentation({ doc }: { doc: unknown }) {
  if (!isObj(doc)) return null;
  return (
    <dl className="handoff">
      <dt>Summary</dt>
      <dd>{s(doc.summary)}</dd>
      <dt>Steps taken</dt>
      <dd>{s(doc.steps_taken)}</dd>
      <dt>Needs attention</dt>
      <dd>{s(doc.needs_attention)}</dd>
    </dl>
  );
}

export function describe(e: TicketEvent, who: string): { icon: string; tone: string; text: string } {
  const p = e.payload;
  switch (e.type) {
    case 'ticket.created':
      return {
        icon: '●',
        tone: 'info',
        text: `${who} opened the ticket via ${s(p.channel)} (${s(p.priority)}) at ${s(p.level)} · ${s(p.team)}${typeof p.follow_up_of === 'string' ? ` — follow-up of ${p.follow_up_of}` : ''}${Array.isArray(p.ccs) ? ` · CC ${p.ccs.join(', ')}` : ''}`,
      };
    case 'ticket.followed_up':
      return { icon: '↪', tone: 'info', text: `${who} wrote after the ticket was closed: follow-up ${s(p.follow_up)} opened` };
    case 'comment.added':
      return { icon: p.public ? '✉' : '✎', tone: p.public ? 'comment' : 'note', text: `${who} ${p.public ? 'replied' : 'added an internal note'}` };
    case 'status.changed':
      return { icon: '⇄', tone: 'info', text: `Status ${label(s(p.from))} → ${label(s(p.to))}${p.automatic ? ' (automatic)' : ` by ${who}`}` };
    case 'priority.changed':
      return { icon: '↑', tone: 'info', text: `Priority ${s(p.from)} → ${s(p.to)} by ${who}` };
    case 'ticket.assigned':
      return { icon: '☺', tone: 'info', text: `Assigned by ${who}${p.reassignment ? ` (reassignment #${s(p.reassignments)})` : ''}` };
    case 'ticket.updated':
      if (p.field === 'ccs') return { icon: '✎', tone: 'info', text: `CCs set by ${who}: ${Array.isArray(p.to) && p.to.length > 0 ? p.to.join(', ') : 'none'}` };
      return { icon: '✎', tone: 'info', text: `Updated by ${who}` };
    case 'sla.applied':
      return { icon: '◷', tone: 'sla', text: `SLA ${label(s(p.metric))} started: due ${when(s(p.due))} (${s(p.policy)}, target ${duration(Number(p.target_ms))})` };
    case 'sla.warning':
      return { icon: '⚠', tone: 'warn', text: `SLA warning: ${label(s(p.metric))} reached ${s(p.threshold)}` };
    case 'sla.breached':
      return { icon: '✖', tone: 'breach', text: `SLA breached: ${label(s(p.metric))}` };
    case 'sla.fulfilled':
      return { icon: '✓', tone: p.breached ? 'warn' : 'ok', text: `SLA ${label(s(p.metric))} fulfilled${p.breached ? `, ${duration(Number(p.late_ms))} late` : ' in time'}` };
    case 'sla.paused':
    case 'sla.resumed':
    case 'sla.stopped':
      return { icon: '‖', tone: 'sla', text: `SLA ${label(s(p.metric))} ${e.type.slice(4)}${p.due ? `, due ${when(s(p.due))}` : ''}` };
    case 'ticket.escalated': {
      const target = p.to_level || p.to_team ? `${s(p.from_level)} → ${s(p.to_level)} · ${s(p.to_team)}` : 'escalation requested';
      const by = typeof p.rule === 'string' ? `rule ${p.rule}` : who;
      const why = p.reason === 'customer_request' && typeof p.comment === 'string' ? ' at the customer’s request' : ` (${label(s(p.reason))}) by ${by}`;
      return { icon: '⤴', tone: 'escalation', text: `Escalated ${target}${why}${p.require_ack ? '; needs acknowledgement' : ''}` };
    }
    case 'ticket.deescalated':
      return { icon: '⤵', tone: 'escalation', text: `De-escalated ${s(p.from_level)} → ${s(p.to_level)} · ${s(p.to_team)} by ${who}: ${s(p.reason)}` };
    case 'escalation.acknowledged':
      return { icon: '✔', tone: 'ok', text: `Escalation acknowledged by ${who}${p.waited_ms !== undefined ? ` after ${duration(Number(p.waited_ms))}` : ''}` };
    case 'escalation.refused':
      return { icon: '✖', tone: 'warn', text: `Escalation refused (${s(p.rule ?? who)}): ${s(p.why)}` };
    case 'escalation.request_recorded':
      return { icon: '⤴', tone: 'warn', text: `Customer asked for escalation again: recorded, not escalated (${RECORDED_WHY[s(p.why)] ?? s(p.why)}; with ${s(p.level)} · ${s(p.team)})` };
    case 'escalation.skipped':
      return { icon: '↷', tone: 'muted', text: `Escalation skipped (${s(p.rule ?? who)})${p.why ? `: ${s(p.why)}` : ''}` };
    case 'notification.queued':
      return { icon: '✉', tone: 'muted', text: `Notification ${s(p.template)} to ${s(p.recipient)}${Array.isArray(p.to) ? ` (${p.to.join(', ')})` : ''} queued` };
    case 'notification.sent':
      return { icon: '✉', tone: 'muted', text: `Notification ${s(p.template)} sent to ${s(p.recipient)}` };
    case 'notification.failed':
      return { icon: '✉', tone: 'warn', text: `Notification ${s(p.template)} to ${s(p.recipient)} ${p.cancelled ? 'not sent' : p.expired ? 'expired' : 'failed'}${p.attempt !== undefined ? ` (attempt ${s(p.attempt)})` : ''}${p.error ? `: ${s(p.error)}` : ''}` };
    case 'notification.skipped':
      return { icon: '∅', tone: 'muted', text: `Notification ${s(p.template)} to ${s(p.recipient)} skipped: ${s(p.why)}` };
    case 'csat.received':
      return { icon: '★', tone: 'ok', text: `Customer rated the resolution ${s(p.rating)}/5${p.comment ? `: “${s(p.comment)}”` : ''}` };
    case 'review.recorded':
      return { icon: '✎', tone: 'muted', text: `Review recorded by ${who} (revision ${s(p.revision)}): root cause ${s(p.root_cause)}` };
    case 'checklist.attached':
      return { icon: '☐', tone: 'info', text: `Checklist “${s(p.title)}” attached (${Array.isArray(p.items) ? p.items.length : 0} items)` };
    case 'checklist.item_checked':
      return { icon: '☑', tone: 'ok', text: `${who} ticked “${s(p.text)}”` };
    case 'checklist.item_unchecked':
      return { icon: '☐', tone: 'muted', text: `${who} unticked “${s(p.text)}”` };
    case 'risk.changed': {
      const pct = typeof p.risk === 'number' ? ` (${Math.round(p.risk * 100)}%)` : '';
      const top = Array.isArray(p.reasons) && p.reasons.length > 0 ? `: ${(p.reasons as Array<{ feature?: unknown }>).slice(0, 2).map((r) => s(r.feature)).join('; ')}` : '';
      const tone = p.to === 'high' ? 'warn' : 'muted';
      return { icon: '◔', tone, text: p.from ? `Escalation risk ${s(p.from)} → ${s(p.to)}${pct}${top}` : `Escalation risk scored ${s(p.to)}${pct}${top}` };
    }
    case 'personal_data.erased': {
      const n = typeof p.fields === 'number' ? p.fields : 0;
      return { icon: '⌫', tone: 'muted', text: `Requester's personal data erased by ${who}${n > 0 ? ` (${n} text${n === 1 ? '' : 's'} in this timeline replaced)` : ''}` };
    }
    default:
      return { icon: '·', tone: 'muted', text: `${e.type} by ${who}` };
  }
}

// With the per-message list, these events would say the same thing again.
const DELIVERY_EVENTS = new Set(['notification.queued', 'notification.sent', 'notification.failed']);

export function Timeline({
  events,
  comments,
  actorName,
  showNotifications = true,
  notifications = null,
}: {
  events: TicketEvent[];
  comments: Comment[];
  actorName: (actor: string) => string;
  showNotifications?: boolean;
  notifications?: TicketNotification[] | null;
}) {
  const byId = new Map(comments.map((c) => [c.id, c]));
  // A reply's delivery attempts are not rows of their own: its delivery line shows their state.
  const shown = events.filter((e) => (showNotifications || !e.type.startsWith('notification.')) && !(notifications && DELIVERY_EVENTS.has(e.type)) && !(e.type.startsWith('notification.') && typeof e.payload.comment_id === 'string'));
  // Comments the events do not mention (none normally) still appear, at their time.
  const mentioned = new Set(events.map((e) => e.payload.comment_id).filter((x): x is string => typeof x === 'string'));
  const loose = comments.filter((c) => !mentioned.has(c.id));
  type Item = { at: string; key: string; node: ReactNode };
  const items: Item[] = shown.map((e) => {
    const d = describe(e, actorName(e.actor));
    const comment = e.type === 'comment.added' && typeof e.payload.comment_id === 'string' ? byId.get(e.payload.comment_id) : undefined;
    return {
      at: e.at,
      key: e.id,
      node: (
        <li className={`ev ev-${d.tone}`} data-type={e.type}>
          <span className="ev-icon" aria-hidden="true">
            {d.icon}
          </span>
          <div className="ev-body">
            <div className="ev-line">
              <span>{d.text}</span>
              <time dateTime={e.at} title={e.recorded_at !== e.at ? `recorded ${when(e.recorded_at)}` : undefined}>
                {when(e.at)}
              </time>
            </div>
            {comment && <blockquote className={comment.public ? 'reply' : 'internal-note'}>{comment.body}</blockquote>}
            {comment && <AttachmentList items={comment.attachments} />}
            {comment && <DeliveryLine delivery={comment.delivery} />}
            {(e.type === 'ticket.escalated' || e.type === 'escalation.request_recorded') && typeof e.payload.comment === 'string' && (
              <blockquote className="reply customer-reason">
                <strong>{e.payload.reason === 'customer_request' || e.type === 'escalation.request_recorded' ? 'Customer’s reason: ' : 'Comment: '}</strong>
                {e.payload.comment}
              </blockquote>
            )}
            {e.type === 'ticket.escalated' && !(e.payload.reason === 'customer_request' && typeof e.payload.comment === 'string') && <Documentation doc={e.payload.documentation} />}
            {e.type === 'ticket.escalated' && <Why explanation={e.payload.explanation} />}
          </div>
        </li>
      ),
    };
  });
  // A reply's own message shows as its delivery line, under the reply: not a second line here.
  for (const n of showNotifications ? (notifications ?? []).filter((x) => x.template !== 'customer-reply') : []) {
    const d = describeNotification(n);
    items.push({
      at: n.queued_at,
      key: `n-${n.id}`,
      node: (
        <li className={`ev ev-${d.tone}`} data-type="notification" data-state={n.state}>
          <span className="ev-icon" aria-hidden="true">
            ✉
          </span>
          <div className="ev-body">
            <div className="ev-line">
              <span>{d.text}</span>
              <time dateTime={n.queued_at}>{when(n.queued_at)}</time>
            </div>
          </div>
        </li>
      ),
    });
  }
  for (const c of loose) {
    items.push({
      at: c.created_at,
      key: c.id,
      node: (
        <li className={`ev ev-${c.public ? 'comment' : 'note'}`} data-type="comment">
          <span className="ev-icon" aria-hidden="true">
            {c.public ? '✉' : '✎'}
          </span>
          <div className="ev-body">
            <div className="ev-line">
              <span>
                {actorName(`user:${c.author_id}`)} {c.public ? 'replied' : 'added an internal note'}
              </span>
              <time dateTime={c.created_at}>{when(c.created_at)}</time>
            </div>
            <blockquote className={c.public ? 'reply' : 'internal-note'}>{c.body}</blockquote>
            <AttachmentList items={c.attachments} />
            <DeliveryLine delivery={c.delivery} />
          </div>
        </li>
      ),
    });
  }
  items.sort((a, b) => a.at.localeCompare(b.at));
  return (
    <ol className="timeline" aria-label="Timeline">
      {items.map((i) => (
        <Frag key={i.key}>{i.node}</Frag>
      ))}
    </ol>
  );
}

const DELIVERY_MARK = { queued: '…', sent: '✓', failed: '✖', cancelled: '∅' } as const;

/** Where a staff reply went, one entry per recipient, in its current state (not one row per attempt). */
export function DeliveryLine({ delivery }: { delivery: Comment['delivery'] | undefined }) {
  if (!delivery || delivery.length === 0) return null;
  return (
    <p className="delivery small" aria-label="Delivery to the customer">
      Delivery:{' '}
      {delivery.map((d, i) => (
        <span key={`${d.channel}:${d.recipient}`} className={`delivery-${d.state}`} title={d.error ?? undefined}>
          {i > 0 && ' · '}
          {DELIVERY_MARK[d.state]} {d.recipient}
          {d.channel !== 'email' && ` (${d.channel.replace(/^reply:/, '')})`} {deliveryText(d)}
        </span>
      ))}
    </p>
  );
}

/** "sent", "failed: why", or for a message that waits for a channel: "waiting — no email channel is configured". */
function deliveryText(d: Comment['delivery'][number]): string {
  const waiting = d.state === 'queued' && d.error?.startsWith('waiting: ');
  if (waiting) return `waiting — ${(d.error ?? '').slice('waiting: '.length)} is configured on the server`;
  return d.error && d.state !== 'sent' ? `${d.state}: ${d.error}` : d.state;
}

function Frag({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
