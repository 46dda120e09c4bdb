/**
 * One request as its customer sees it: status, the public conversation and public updates
 * (the API gives customers nothing internal), a reply box, a request to escalate with a
 * reason, and — once solved — how to rate the resolution.
 */
import { useState, type FormEvent } from 'react';
import { errorText, get, post, uploadFiles, type Attachment, type TicketEvent } from '../api.ts';
import { AttachmentList, FilePicker } from '../components/attachments.tsx';
import { when } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { StatusBadge } from '../components/sla.tsx';
import { usePoll } from '../use-poll.ts';
import { RatingForm } from './rate.tsx';
import { Notices } from '../components/notices.tsx';

export function PortalTicketPage({ ticketKey }: { ticketKey: string }) {
  const session = useSession();
  const polled = usePoll(
    async () => {
      const [ticket, comments, events, opening] = await Promise.all([
        get('/tickets/{ticketRef}', { params: { path: { ticketRef: ticketKey } } }),
        get('/tickets/{ticketRef}/comments', { params: { path: { ticketRef: ticketKey } } }).then((r) => r.items),
        get('/tickets/{ticketRef}/events', { params: { path: { ticketRef: ticketKey } } }).then((r) => r.items),
        get('/tickets/{ticketRef}/attachments', { params: { path: { ticketRef: ticketKey } } }).then((r) => r.items.filter((a) => a.comment_id === null)),
      ]);
      return { ticket, comments, events, opening };
    },
    [ticketKey],
    5000,
    { ticket: ticketKey },
  );
  const [reply, setReply] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [why, setWhy] = useState('');
  const [asking, setAsking] = useState(false);
  const [flash, setFlash] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (polled.error && !polled.data) return <p className="error">Could not load {ticketKey}: {errorText(polled.error)}</p>;
  const d = polled.data;
  if (!d) return <p className="muted">Loading…</p>;
  const { ticket, comments } = d;
  const updates = d.events.filter((e) => e.type === 'status.changed' || e.type === 'csat.received' || e.type === 'ticket.followed_up');
  const followUpOf = d.events.find((e) => e.type === 'ticket.created' && typeof e.payload.follow_up_of === 'string')?.payload.follow_up_of as string | undefined;
  const followedUpBy = d.events.filter((e) => e.type === 'ticket.followed_up').map((e) => String(e.payload.follow_up));
  const updateText = (e: TicketEvent): string => {
    if (e.type === 'csat.received') return `You rated the resolution ${String(e.payload.rating)}/5`;
    if (e.type === 'ticket.followed_up') return `Your message after this request was closed opened a follow-up: ${String(e.payload.follow_up)}`;
    return `Status: ${String(e.payload.to).replace('_', ' ')}${e.payload.from === 'solved' && e.payload.to === 'open' ? ' (reopened by your reply)' : ''}`;
  };
  type Item = { at: string; key: string; mine: boolean; who: string; text: string; kind: 'comment' | 'update'; files?: Attachment[] | undefined };
  const items: Item[] = [
    { at: ticket.created_at, key: 'opened', mine: ticket.requester_id === session.me.id, who: ticket.requester_id === session.me.id ? 'You' : 'Your colleague', text: ticket.body, kind: 'comment' as const, files: d.opening },
    ...comments.map((c): Item => ({ at: c.created_at, key: c.id, mine: c.author_id === session.me.id, who: c.author_id === session.me.id ? 'You' : c.author_role === 'customer' ? 'Your colleague' : 'Support', text: c.body, kind: 'comment', files: c.attachments })),
    ...updates.map((e): Item => ({ at: e.at, key: e.id, mine: false, who: '', text: updateText(e), kind: 'update' })),
  ].sort((a, b) => a.at.localeCompare(b.at));

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(null);
    setFlash(null);
    try {
      await fn();
      setFlash(done);
      await polled.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const sendReply = (e: FormEvent) => {
    e.preventDefault();
    if (!reply.trim()) return;
    if (ticket.status === 'closed') {
      // A closed request is final: the message opens a follow-up request, linked to this one.
      void act(async () => {
        const uploaded = await uploadFiles(files);
        const r = await post('/tickets/{ticketRef}/comments', { body: reply, public: true, ...(uploaded.length > 0 && { attachment_ids: uploaded.map((a) => a.id) }) }, { params: { path: { ticketRef: ticketKey } } });
        setReply('');
        setFiles([]);
        if ('follow_up' in r && r.follow_up) navigate(`/portal/tickets/${r.follow_up.ticket}`);
      }, 'Your follow-up request was opened.');
      return;
    }
    void act(async () => {
      const uploaded = await uploadFiles(files);
      await post('/tickets/{ticketRef}/comments', { body: reply, public: true, ...(uploaded.length > 0 && { attachment_ids: uploaded.map((a) => a.id) }) }, { params: { path: { ticketRef: ticketKey } } });
      setReply('');
      setFiles([]);
    }, ticket.status === 'solved' ? 'Your reply was sent and the request is reopened.' : 'Your reply was sent.');
  };
  const askEscalation = (e: FormEvent) => {
    e.preventDefault();
    if (!why.trim()) return;
    // What the customer is told comes from where the ticket actually went (the server's answer).
    setError(null);
    setFlash(null);
    post('/tickets/{ticketRef}/escalate', { comment: why.trim() }, { params: { path: { ticketRef: ticketKey } } })
      .then(async (r) => {
        const next = r.request?.next_request_from;
        setFlash(`${r.request?.message ?? 'Your escalation request was recorded.'}${next ? ` If there is still no answer, you can ask again from ${when(next)}.` : ''}`);
        setWhy('');
        setAsking(false);
        await polled.reload();
      })
      .catch((e: unknown) => setError(errorText(e)));
  };
  const done = ticket.status === 'solved' || ticket.status === 'closed';

  return (
    <article className="portal-ticket">
      <p className="muted small">
        <Link to="/portal">← Your requests</Link>
      </p>
      <h1>
        <span className="key">{ticket.key}</span> {ticket.subject}
      </h1>
      <p>
        <StatusBadge status={ticket.status} /> <span className="muted small">opened {when(ticket.created_at)} · priority {ticket.priority}</span>
      </p>
      {ticket.expectations?.text && (
        <div className="card expectations" role="note" aria-label="What to expect">
          <strong>What to expect</strong>
          <p>{ticket.expectations.text}</p>
          <p className="muted small">
            <Link to="/support-hours">Support hours and response targets</Link>
          </p>
        </div>
      )}
      {(followUpOf !== undefined || followedUpBy.length > 0) && (
        <p className="small follow-up">
          {followUpOf !== undefined && (
            <>
              Follow-up of <Link to={`/portal/tickets/${followUpOf}`}>{followUpOf}</Link>.{' '}
            </>
          )}
          {followedUpBy.map((k) => (
            <span key={k}>
              Continued in <Link to={`/portal/tickets/${k}`}>{k}</Link>.{' '}
            </span>
          ))}
        </p>
      )}
      <Notices flash={flash} error={error} />
      <ol className="conversation" aria-label="Conversation">
        {items.map((i) =>
          i.kind === 'update' ? (
            <li key={i.key} className="update">
              <span>{i.text}</span> <time dateTime={i.at}>{when(i.at)}</time>
            </li>
          ) : (
            <li key={i.key} className={i.mine ? 'mine' : 'theirs'}>
              <div className="bubble-head">
                <strong>{i.who}</strong> <time dateTime={i.at}>{when(i.at)}</time>
              </div>
              <div className="bubble">
                {i.text}
                <AttachmentList items={i.files} />
              </div>
            </li>
          ),
        )}
      </ol>
      <form onSubmit={sendReply} className="card stack">
        <label>
          {ticket.status === 'closed' ? 'This request is closed. Anything new? Writing here opens a follow-up request.' : ticket.status === 'solved' ? 'Not solved after all? Your reply reopens the request.' : 'Your reply'}
          <textarea name="reply" rows={4} required value={reply} onChange={(e) => setReply(e.target.value)} />
        </label>
        <FilePicker files={files} onChange={setFiles} />
        <div className="row end">
          <button type="submit" className="primary">
            {ticket.status === 'closed' ? 'Open a follow-up' : 'Send reply'}
          </button>
        </div>
      </form>
      {!done && (
        <div className="card">
          {!asking ? (
            <p>
              Not getting the help you need?{' '}
              <button className="link" onClick={() => setAsking(true)}>
                Request escalation
              </button>
            </p>
          ) : (
            <form onSubmit={askEscalation} className="stack">
              <label>
                Why should this be escalated?
                <textarea name="escalation_reason" rows={3} required maxLength={2000} value={why} onChange={(e) => setWhy(e.target.value)} placeholder="e.g. our whole team is blocked and the deadline is tomorrow" />
              </label>
              <div className="row end">
                <button type="button" onClick={() => setAsking(false)}>
                  Cancel
                </button>
                <button type="submit" className="primary">
                  Request escalation
                </button>
              </div>
            </form>
          )}
        </div>
      )}
      {done && (
        <div className="card">
          <h2>How did we do?</h2>
          {d.events.some((e) => e.type === 'csat.received') ? (
            <p>Thank you for rating this request.</p>
          ) : (
            <>
              <p>This request is {ticket.status}. Rate how we handled it (reply above instead if the problem is not solved — that reopens it).</p>
              <RatingForm target={{ ticketKey: ticket.key }} />
            </>
          )}
        </div>
      )}
    </article>
  );
}
