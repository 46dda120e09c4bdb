/**
 * The public web form (no account): POST /intake/web. A new address gets its ticket at once;
 * an address that belongs to an account gets a confirmation link by mail first ('held').
 */
import { useState, type FormEvent } from 'react';
import { errorText, post } from '../api.ts';
import { Link } from '../router.tsx';

export function ContactPage() {
  const [f, setF] = useState({ name: '', email: '', subject: '', body: '', website: '' });
  const [result, setResult] = useState<{ status: string; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await post('/intake/web', f);
      setResult(r);
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (result)
    return (
      <section className="card narrow-wide">
        <h1>{result.status === 'held' ? 'Check your mail' : 'Request sent'}</h1>
        <p role="status">{result.message}</p>
        <p>
          We answer by email: reply to our messages to add information. If you have an account, <Link to="/login">sign in</Link> to follow it there. ·{' '}
          <Link to="/support-hours">Support hours and response targets</Link>
        </p>
      </section>
    );
  return (
    <section className="card narrow-wide">
      <h1>Contact support</h1>
      <p className="muted small">
        We answer by email. See our <Link to="/support-hours">support hours and response targets</Link>.
      </p>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label>
          Your name
          <input name="name" required autoComplete="name" value={f.name} onChange={set('name')} />
        </label>
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" value={f.email} onChange={set('email')} />
        </label>
        <label>
          Subject
          <input name="subject" required value={f.subject} onChange={set('subject')} />
        </label>
        <label>
          How can we help?
          <textarea name="body" required rows={6} value={f.body} onChange={set('body')} />
        </label>
        <label className="hp" aria-hidden="true">
          Website
          <input name="website" tabIndex={-1} autoComplete="off" value={f.website} onChange={set('website')} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="submit" className="primary">
            Send
          </button>
        </div>
      </form>
    </section>
  );
}
