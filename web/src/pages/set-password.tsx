/**
 * The public page of a set-password link (an invitation or an admin's reset): choose a
 * password, then sign in. The token comes from the link's query; the server checks it
 * (single use, 72 hours) and the password policy, and its refusal is shown as it came.
 */
import { useState, type FormEvent } from 'react';
import { errorText } from '../api.ts';
import { adminApi } from '../api/admin.ts';
import { Link } from '../router.tsx';

export function SetPasswordPage({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (password !== again) {
      setError('The two passwords differ; type the same password twice.');
      return;
    }
    try {
      const r = await adminApi.setPassword(token, password);
      setDone(r.email);
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (!token) return <p className="notice">This page needs the link from your email (it ends with ?token=…).</p>;
  return (
    <section className="card narrow">
      <h1>Choose your password</h1>
      {done ? (
        <p role="status">
          Your password is set for {done}. <Link to="/login">Sign in</Link>.
        </p>
      ) : (
        <form className="stack" onSubmit={(e) => void submit(e)}>
          <p className="muted small">At least 12 characters; a common password is refused. The link works once.</p>
          <label>
            New password
            <input type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <label>
            New password again
            <input type="password" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)} />
          </label>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="row end">
            <button type="submit" className="primary">
              Set password
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The console's own answer for a path it does not know. */
export function NotFoundPage({ path, home }: { path: string; home: { to: string; text: string } }) {
  return (
    <section className="card narrow" aria-labelledby="not-found">
      <h1 id="not-found">Page not found</h1>
      <p>
        There is no page at <code>{path}</code>.
      </p>
      <p>
        <Link to={home.to}>{home.text}</Link>
      </p>
    </section>
  );
}
