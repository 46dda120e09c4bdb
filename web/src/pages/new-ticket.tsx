/**
 * "New ticket" for staff: a phone call, chat or visit becomes a ticket for the right customer.
 * The requester is found by email among the customers (the directory) or created by the server
 * as a new customer (no password; they can be invited later); the organization shown is the one
 * the server will use — the customer's, else the one organization whose customers write from the
 * same domain, else the one picked here (or the organization new senders join).
 */
import { useMemo, useState, type FormEvent } from 'react';
import { errorText, PRIORITIES, uploadFiles, type Priority } from '../api.ts';
import { createStaffTicket, deriveOrganization, STAFF_CHANNELS } from '../api/staff-tickets.ts';
import { FilePicker } from '../components/attachments.tsx';
import { label } from '../format.ts';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';

export function NewTicketPage() {
  const session = useSession();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [orgChoice, setOrgChoice] = useState('');
  const [channel, setChannel] = useState<string>('phone');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [priority, setPriority] = useState<Priority>('normal');
  const [category, setCategory] = useState('');
  const [tags, setTags] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const customers = useMemo(() => [...session.users.values()].filter((u) => u.role === 'customer' && u.active), [session.users]);
  const orgs = useMemo(() => [...session.orgs.values()].sort((a, b) => a.name.localeCompare(b.name)), [session.orgs]);
  const derived = deriveOrganization(email, session.users.values(), session.orgs);
  const query = email.trim().toLowerCase();
  const matches = query.length >= 2 && derived.kind !== 'customer' ? customers.filter((u) => u.email.toLowerCase().includes(query) || u.name.toLowerCase().includes(query)).slice(0, 6) : [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const uploaded = await uploadFiles(files);
      const tagList = tags
        .split(/[\s,]+/)
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean);
      const t = await createStaffTicket({
        requester: { email: email.trim(), ...(name.trim() && { name: name.trim() }) },
        ...(derived.kind !== 'customer' && derived.kind !== 'domain' && orgChoice && { organization_id: orgChoice }),
        channel,
        subject: subject.trim(),
        body,
        priority,
        ...(category.trim() && { category: category.trim() }),
        ...(tagList.length > 0 && { tags: tagList }),
        ...(uploaded.length > 0 && { attachment_ids: uploaded.map((a) => a.id) }),
      });
      navigate(`/tickets/${t.key}`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card narrow-wide">
      <h1>New ticket</h1>
      <p className="muted small">For a customer who called, chatted or came by. A new address becomes a customer account without a password.</p>
      <form onSubmit={(e) => void submit(e)} className="stack" aria-label="New ticket">
        <fieldset className="stack">
          <legend>Requester</legend>
          <label>
            Customer email
            <input name="requester-email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="name@company.example" />
          </label>
          {matches.length > 0 && (
            <ul className="suggestions" aria-label="Existing customers">
              {matches.map((u) => (
                <li key={u.id}>
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      setEmail(u.email);
                      setName(u.name);
                    }}
                  >
                    {u.name} · {u.email}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <label>
            Customer name
            <input name="requester-name" maxLength={200} value={derived.kind === 'customer' ? derived.user.name : name} disabled={derived.kind === 'customer'} onChange={(e) => setName(e.target.value)} />
          </label>
          <p className="small" aria-live="polite" data-testid="requester-organization">
            {derived.kind === 'customer' && <>Existing customer of <strong>{derived.org?.name ?? 'an unknown organization'}</strong>.</>}
            {derived.kind === 'domain' && <>New customer; joins <strong>{derived.org.name}</strong> (the organization of this email domain).</>}
            {derived.kind === 'staff' && <span className="error">{derived.user.email} is a staff account: the requester is the customer the ticket is for.</span>}
            {derived.kind === 'unknown' && query.includes('@') && <>New customer; choose the organization below (left empty: the organization new senders join).</>}
          </p>
          {derived.kind === 'unknown' && query.includes('@') && (
            <label>
              Organization
              <select name="organization" value={orgChoice} onChange={(e) => setOrgChoice(e.target.value)}>
                <option value="">— new senders' organization —</option>
                {orgs.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name} ({o.tier})
                  </option>
                ))}
              </select>
            </label>
          )}
        </fieldset>
        <div className="row wrap">
          <label>
            Channel
            <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
              {STAFF_CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {label(c)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Priority
            <select name="priority" value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {label(p)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Category
            <input name="category" maxLength={100} value={category} onChange={(e) => setCategory(e.target.value)} placeholder="optional" />
          </label>
        </div>
        <label>
          Subject
          <input name="subject" required maxLength={500} value={subject} onChange={(e) => setSubject(e.target.value)} />
        </label>
        <label>
          What the customer reported
          <textarea name="body" required rows={8} value={body} onChange={(e) => setBody(e.target.value)} placeholder="In their words: what happened, since when, what they tried" />
        </label>
        <label>
          Tags
          <input name="tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="comma or space separated, optional" />
        </label>
        <FilePicker files={files} onChange={setFiles} />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="submit" className="primary" disabled={busy || derived.kind === 'staff'}>
            {busy ? 'Creating…' : 'Create ticket'}
          </button>
        </div>
      </form>
    </section>
  );
}
