/**
 * One ticket for staff: header (priority, status, level · team, the organization's tier and
 * contract value), SLA clocks with live countdowns, escalation state with acknowledge /
 * escalate / de-escalate, field changes (status, priority, assignee), reply or internal
 * note, the timeline, the requester (who, organization, other tickets) and the customer's cues
 * (sentiment trend, risk flags with their words), each in its own panel. Refreshed every 5 s.
 */
import { useState, type FormEvent } from 'react';
import { AttachmentList, FilePicker } from '../components/attachments.tsx';
import { errorText, get, patch, post, PRIORITIES, put, STATUSES, uploadFiles, type Attachment, type Comment, type SlaView, type Ticket, type TicketEvent, type TicketNotification } from '../api.ts';
import { duration, label, when } from '../format.ts';
import { Link } from '../router.tsx';
import { actorName, personName, useSession } from '../session.tsx';
import { Countdown, PriorityBadge, StatusBadge, summarise } from '../components/sla.tsx';
import { EscalateDialog } from '../components/escalate-dialog.tsx';
import { Timeline } from '../components/timeline.tsx';
import { useNow, usePoll } from '../use-poll.ts';
import { Notices } from '../components/notices.tsx';
import { RequesterPanel } from '../components/requester-panel.tsx';
import { CustomerCuesPanel } from '../components/customer-cues.tsx';
import { ReviewForm } from '../components/review-form.tsx';
import { ChecklistPanel } from '../components/checklist-panel.tsx';
import { describeSet, MacroPicker } from '../components/macro-picker.tsx';
import { applyMacroSet, type MacroPreview } from '../api/playbooks.ts';
import type { RiskView } from '../api/risk.ts';
import { RiskBadge, RiskPanel } from '../components/risk.tsx';

interface Loaded {
  ticket: Ticket;
  events: TicketEvent[];
  comments: Comment[];
  sla: SlaView | null;
  /** Files of the opening message (a mail's attachments, a portal request's files). */
  opening: Attachment[];
  notifications: TicketNotification[] | null;
  /** The latest escalation-risk score (null without a model in force or a score yet). */
  risk: RiskView | null;
}

export function TicketPage({ ticketKey }: { ticketKey: string }) {
  const session = useSession();
  const model = session.policy?.model ?? null;
  const now = useNow(1000);
  const polled = usePoll<Loaded>(
    async () => {
      const [ticket, events, comments, sla, opening, notifications] = await Promise.all([
        get('/tickets/{ticketRef}', { params: { path: { ticketRef: ticketKey } } }),
        get('/tickets/{ticketRef}/events', { params: { path: { ticketRef: ticketKey } } }).then((r) => r.items),
        get('/tickets/{ticketRef}/comments', { params: { path: { ticketRef: ticketKey } } }).then((r) => r.items),
        get('/tickets/{ticketRef}/sla', { params: { path: { ticketRef: ticketKey } } }).catch(() => null),
        get('/tickets/{ticketRef}/attachments', { params: { path: { ticketRef: ticketKey } } }).then((r) => r.items.filter((a) => a.comment_id === null)),
        get('/tickets/{ticketRef}/notifications', { params: { path: { ticketRef: ticketKey } } }).then((r) => r.items).catch(() => null),
      ]);
      return { ticket, events, comments, sla, opening, notifications, risk: ticket.risk ?? null };
    },
    [ticketKey],
    5000,
    { ticket: ticketKey },
  );
  const [escalating, setEscalating] = useState(false);
  const [showNotifications, setShowNotifications] = useState(true);
  const [flash, setFlash] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (polled.error && !polled.data) return <p className="error">Could not load {ticketKey}: {errorText(polled.error)}</p>;
  const d = polled.data;
  if (!d) return <p className="muted">Loading {ticketKey}…</p>;
  const { ticket, events, comments, sla, opening } = d;
  const summary = summarise(sla ?? undefined, model, now);
  const ackPending = sla?.escalation.acknowledgement_pending ?? null;

  const act = async (what: string, fn: () => Promise<unknown>) => {
    setError(null);
    setFlash(null);
    try {
      await fn();
      setFlash(what);
      await polled.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <article className="ticket">
      <div className="page-head">
        <div>
          <p className="muted small">
            <Link to="/queues/mine">← Queues</Link>
          </p>
          <h1>
            <span className="key">{ticket.key}</span> {ticket.subject}
          </h1>
          <p className="meta">
            <PriorityBadge priority={ticket.priority} /> <StatusBadge status={ticket.status} />{' '}
            <span className="badge level">
              {ticket.level ?? '—'} · {ticket.team ?? '—'}
            </span>{' '}
            {ackPending && <span className="badge ack">escalation unacknowledged since {when(ackPending.since)}</span>}{' '}
            {d.risk && <RiskBadge score={d.risk.score} band={d.risk.band} at={d.risk.at} model={d.risk.model} />}
          </p>
        </div>
      </div>
      <Notices flash={flash} error={error} />
      <div className="ticket-grid">
        <div className="main-col">
          <section className="card">
            <h2 className="sr-only">Request</h2>
            <p className="muted small">
              Opened {when(ticket.created_at)} via {ticket.channel}
              {ticket.tags && ticket.tags.length > 0 && <> · tags {ticket.tags.join(', ')}</>}
            </p>
            <p className="body-text">{ticket.body}</p>
            <AttachmentList items={opening} />
          </section>
          <ReplyBox ticket={ticket} onDone={(what) => act(what, async () => undefined)} />
          <ReviewForm ticketKey={ticket.key} status={ticket.status} />
          <section className="card">
            <div className="row spread">
              <h2>Timeline</h2>
              <label className="check small">
                <input type="checkbox" checked={showNotifications} onChange={(e) => setShowNotifications(e.target.checked)} /> notifications
              </label>
            </div>
            <Timeline events={events} comments={comments} actorName={(a) => (a === `user:${ticket.requester_id}` ? 'the customer' : actorName(session, a))} showNotifications={showNotifications} notifications={d.notifications} />
          </section>
        </div>
        <aside className="side-col">
          <section className="card">
            <h2>SLA</h2>
            <p>
              <Countdown summary={summary} now={now} />
            </p>
            <ul className="clocks">
              {(sla?.clocks ?? []).map((c) => (
                <li key={c.metric} className={c.breached ? 'breached' : ''}>
                  <strong>{label(c.metric)}</strong> {c.status}
                  {c.paused ? ' (paused)' : ''}
                  {c.breached ? ' · breached' : ''}
                  <span className="muted small">
                    {' '}
                    target {duration(c.target_ms)}
                    {c.due && c.status === 'running' ? ` · due ${when(c.due)}` : ''}
                  </span>
                </li>
              ))}
              {sla && sla.clocks.length === 0 && <li className="muted">No SLA clocks.</li>}
            </ul>
            {sla?.sla_policy && (
              <p className="muted small">
                SLA policy {sla.sla_policy}, policy v{sla.policy_version}
              </p>
            )}
          </section>
          <RiskPanel risk={d.risk} />
          <section className="card">
            <h2>Escalation</h2>
            <p className="small">
              {sla?.escalation.escalations ?? 0} escalation(s) · owner {sla?.escalation.owner ?? personName(session, ticket.owner_id)}
            </p>
            <div className="row wrap">
              {ackPending && sla?.escalation.can_acknowledge && (
                <button className="primary" onClick={() => void act('Escalation acknowledged.', () => post('/tickets/{ticketRef}/acknowledge', {}, { params: { path: { ticketRef: ticketKey } } }))}>
                  Acknowledge
                </button>
              )}
              <button onClick={() => setEscalating(true)} disabled={ticket.status === 'closed'}>
                Escalate…
              </button>
            </div>
            {ackPending && sla && !sla.escalation.can_acknowledge && <p className="muted small ack-refusal">Waiting for the receiving team to acknowledge: {sla.escalation.acknowledge_refusal}</p>}
            <Deescalate ticket={ticket} onSubmit={(reason) => act('De-escalated.', () => post('/tickets/{ticketRef}/de-escalate', { reason }, { params: { path: { ticketRef: ticketKey } } }))} />
          </section>
          <ChecklistPanel ticketKey={ticket.key} version={ticket.version} onChanged={() => polled.reload()} />
          <Fields ticket={ticket} onSave={(changes, what) => act(what, () => patch('/tickets/{ticketRef}', { ...changes, version: ticket.version }, { params: { path: { ticketRef: ticketKey } } }))} />
          <Ccs ticketKey={ticket.key} onSaved={() => act('CCs saved.', async () => undefined)} />
          <RequesterPanel ticketKey={ticket.key} version={ticket.version} />
          <CustomerCuesPanel ticketKey={ticket.key} version={ticket.version} />
        </aside>
      </div>
      <EscalateDialog
        ticket={ticket}
        model={model}
        open={escalating}
        onClose={() => setEscalating(false)}
        onDone={() => {
          setEscalating(false);
          void act('Escalated.', async () => undefined);
        }}
      />
    </article>
  );
}

/** The customer addresses copied on the conversation: they get every public reply too. */
function Ccs({ ticketKey, onSaved }: { ticketKey: string; onSaved: () => Promise<void> }) {
  const polled = usePoll(() => get('/tickets/{ticketRef}/ccs', { params: { path: { ticketRef: ticketKey } } }), [ticketKey], 30_000, { ticket: ticketKey });
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const text = draft ?? (polled.data?.ccs ?? []).join(', ');
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await put('/tickets/{ticketRef}/ccs', { ccs: text.split(/[,;\s]+/).filter((a) => a !== '') }, { params: { path: { ticketRef: ticketKey } } });
    } catch (err) {
      setError(errorText(err));
      return;
    }
    setDraft(null);
    await polled.reload();
    await onSaved();
  };
  return (
    <section className="card">
      <h2>CC</h2>
      <form onSubmit={(e) => void save(e)} className="stack">
        <label className="small">
          Customer addresses that get every public reply
          <input name="ccs" value={text} onChange={(e) => setDraft(e.target.value)} placeholder="pat@customer.example, lee@customer.example" />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="submit" disabled={draft === null}>
            Save CCs
          </button>
        </div>
      </form>
    </section>
  );
}

function ReplyBox({ ticket, onDone }: { ticket: Ticket; onDone: (what: string) => Promise<void> }) {
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The macro whose text is in the box: its `set` is applied when the reply is sent. */
  const [macro, setMacro] = useState<MacroPreview | null>(null);
  const send = async (isPublic: boolean) => {
    if (!body.trim()) {
      setError('Write something first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // The macro's changes first: a refusal (e.g. required checklist items open) posts nothing.
      if (macro) await applyMacroSet(ticket, macro.set);
      const uploaded = await uploadFiles(files);
      await post('/tickets/{ticketRef}/comments', { body, public: isPublic, ...(uploaded.length > 0 && { attachment_ids: uploaded.map((a) => a.id) }) }, { params: { path: { ticketRef: ticket.key } } });
      setBody('');
      setFiles([]);
      setMacro(null);
      await onDone(isPublic ? 'Reply sent to the customer.' : 'Internal note added.');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send(true);
  };
  return (
    <section className="card">
      <MacroPicker
        ticketKey={ticket.key}
        onUse={(preview) => {
          setBody(preview.body);
          setMacro(preview);
        }}
      />
      <form onSubmit={submit} className="stack">
        <label>
          Reply or note
          <textarea name="comment" rows={4} value={body} onChange={(e) => setBody(e.target.value)} placeholder="A public reply goes to the customer; an internal note stays with staff" />
        </label>
        <FilePicker files={files} onChange={setFiles} />
        {macro && (
          <p className="small macro-pending">
            Macro <strong>{macro.name}</strong> ({macro.visibility === 'internal' ? 'meant as an internal note' : 'meant as a public reply'})
            {describeSet(macro.set) && <> · on send: {describeSet(macro.set)}</>}{' '}
            <button type="button" className="link" onClick={() => setMacro(null)}>
              don't apply
            </button>
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end wrap">
          <button type="button" className={macro?.visibility === 'internal' ? 'primary' : ''} disabled={busy} onClick={() => void send(false)}>
            Add internal note
          </button>
          <button type="submit" className={macro?.visibility === 'internal' ? '' : 'primary'} disabled={busy}>
            Send public reply
          </button>
        </div>
      </form>
    </section>
  );
}

function Fields({ ticket, onSave }: { ticket: Ticket; onSave: (changes: Record<string, unknown>, what: string) => Promise<void> }) {
  const session = useSession();
  const [status, setStatus] = useState(ticket.status);
  const [priority, setPriority] = useState(ticket.priority);
  const [assignee, setAssignee] = useState<string>(ticket.assignee_id ?? '');
  const [seen, setSeen] = useState(ticket.version);
  if (seen !== ticket.version) {
    setSeen(ticket.version);
    setStatus(ticket.status);
    setPriority(ticket.priority);
    setAssignee(ticket.assignee_id ?? '');
  }
  const people = [...session.users.values()].filter((u) => u.role !== 'customer' && u.active);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const changes: Record<string, unknown> = {};
    if (status !== ticket.status) changes.status = status;
    if (priority !== ticket.priority) changes.priority = priority;
    if (assignee !== (ticket.assignee_id ?? '')) changes.assignee_id = assignee === '' ? null : assignee;
    if (Object.keys(changes).length === 0) return;
    void onSave(changes, 'Ticket updated.');
  };
  return (
    <section className="card">
      <h2>Ticket</h2>
      <form onSubmit={submit} className="stack">
        <label>
          Status
          <select name="status" value={status} onChange={(e) => setStatus(e.target.value as Ticket['status'])}>
            {STATUSES.map((s) => (
              <option key={s} value={s} disabled={s === 'new' && ticket.status !== 'new'}>
                {label(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <select name="priority" value={priority} onChange={(e) => setPriority(e.target.value as Ticket['priority'])}>
            {PRIORITIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Assignee
          <select name="assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            <option value="">unassigned</option>
            <option value={session.me.id}>{session.me.name} (you)</option>
            {ticket.assignee_id && ticket.assignee_id !== session.me.id && !session.users.has(ticket.assignee_id) && <option value={ticket.assignee_id}>{personName(session, ticket.assignee_id)}</option>}
            {people
              .filter((u) => u.id !== session.me.id)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} ({u.role})
                </option>
              ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Save changes
        </button>
      </form>
    </section>
  );
}

function Deescalate({ ticket, onSubmit }: { ticket: Ticket; onSubmit: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <p>
        <button className="link" onClick={() => setOpen(true)} disabled={ticket.status === 'closed'}>
          De-escalate…
        </button>
      </p>
    );
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) return;
        void onSubmit(reason.trim()).then(() => {
          setReason('');
          setOpen(false);
        });
      }}
    >
      <label>
        Reason for handing it back
        <textarea name="deescalate_reason" rows={2} required value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="row end">
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <button type="submit">De-escalate</button>
      </div>
    </form>
  );
}
