/** The customer portal: my requests (status and last update), and a new request. */
import { useEffect, useState, type FormEvent } from 'react';
import { errorText, get, post, uploadFiles, type Priority } from '../api.ts';
import { FilePicker } from '../components/attachments.tsx';
import { ago, label } from '../format.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { StatusBadge } from '../components/sla.tsx';
import { usePoll } from '../use-poll.ts';

export function PortalHome() {
  const session = useSession();
  const [all, setAll] = useState(false);
  const polled = usePoll(() => get('/tickets', { params: { query: { limit: 100 } } }).then((r) => r.items), [], 10_000);
  const org = session.me.organization_id ? session.orgs.get(session.me.organization_id) : undefined;
  const tickets = (polled.data ?? []).filter((t) => all || t.requester_id === session.me.id);
  return (
    <section>
      <div className="page-head">
        <h1>Your requests</h1>
        <Link to="/portal/new" className="button primary">
          New request
        </Link>
      </div>
      <p className="muted small">
        {org && `${org.name} · ${org.tier} support · `}
        <Link to="/support-hours">Support hours and response targets</Link>
      </p>
      <label className="check small">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> show my organization's requests too
      </label>
      <ul className="portal-list">
        {tickets.map((t) => (
          <li key={t.id} data-ticket={t.key}>
            <Link to={`/portal/tickets/${t.key}`}>
              <span className="key">{t.key}</span> {t.subject}
            </Link>
            <span>
              <StatusBadge status={t.status} /> <span className="muted small">updated {ago(t.updated_at)}</span>
            </span>
          </li>
        ))}
        {polled.data && tickets.length === 0 && <li className="muted">No requests yet.</li>}
      </ul>
      {polled.loading && <p className="muted">Loading…</p>}
      {polled.error !== null && polled.error !== undefined && <p className="error">{errorText(polled.error)}</p>}
      <p className="muted small">Statuses: {['new', 'open', 'pending', 'on_hold', 'solved', 'closed'].map(label).join(' → ')}. “Pending” means we are waiting for your answer.</p>
    </section>
  );
}

export function PortalNewTicket() {
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [priority, setPriority] = useState('normal');
  // What the policy lets customers choose (customer_fields): the form offers only that, and never a channel.
  const [fields, setFields] = useState<CustomerFields | undefined>(undefined);
  useEffect(() => {
    get('/tickets/customer-fields').then(setFields, () => setFields(undefined));
  }, []);
  const priorities = priorityChoices(fields);
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const uploaded = await uploadFiles(files);
      const chosen = priorities.length > 0 && priorities.some((p) => p.value === priority) ? { priority: priority as Priority } : {};
      const t = await post('/tickets', { subject: subject.trim(), body, ...chosen, ...(uploaded.length > 0 && { attachment_ids: uploaded.map((a) => a.id) }) });
      navigate(`/portal/tickets/${t.key}`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card narrow-wide">
      <h1>New request</h1>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label>
          Subject
          <input name="subject" required maxLength={500} value={subject} onChange={(e) => setSubject(e.target.value)} />
        </label>
        <label>
          Describe the problem
          <textarea name="body" required rows={8} value={body} onChange={(e) => setBody(e.target.value)} placeholder="What happened, since when, what you already tried" />
        </label>
        {priorities.length > 0 && (
          <label>
            How urgent is it?
            <select name="priority" value={priority} onChange={(e) => setPriority(e.target.value)}>
              {priorities.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
        )}
        <FilePicker files={files} onChange={setFiles} />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Sending…' : 'Send request'}
          </button>
        </div>
      </form>
    </section>
  );
}

interface CustomerFields {
  settable: string[];
  priority_max: string | null;
  public: string[];
}

const PRIORITY_CHOICES = [
  { value: 'low', label: 'Low — a question, no hurry' },
  { value: 'normal', label: 'Normal' },
  { value: 'high', label: 'High — work is impaired' },
  { value: 'urgent', label: 'Urgent — work has stopped' },
];

/** The priorities the policy lets a customer pick (none: the form has no priority field). */
function priorityChoices(fields: CustomerFields | undefined): typeof PRIORITY_CHOICES {
  if (!fields?.settable.includes('priority')) return [];
  const max = fields.priority_max === null ? PRIORITY_CHOICES.length - 1 : PRIORITY_CHOICES.findIndex((p) => p.value === fields.priority_max);
  return PRIORITY_CHOICES.slice(0, max + 1);
}
