/**
 * The satisfaction survey: a rating 1–5 and a comment. Behind the signed link of the
 * resolution email (RatePage), and in the portal for a signed-in customer (RatingForm).
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { errorText, post } from '../api.ts';

export function RatePage({ token }: { token: string }) {
  return <RatingForm target={{ token }} card />;
}

/** `target`: the survey link's token, or a ticket of the signed-in customer. */
export function RatingForm({ target, card = false, onDone }: { target: { token: string } | { ticketKey: string }; card?: boolean; onDone?: () => void }) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (rating < 1) {
      setError('Choose a rating from 1 to 5.');
      return;
    }
    try {
      const body = { rating, ...(comment.trim() && { comment: comment.trim() }) };
      const r = 'token' in target ? await post('/csat/{token}', body, { params: { path: { token: target.token } } }) : await post('/tickets/{ticketRef}/csat', body, { params: { path: { ticketRef: target.ticketKey } } });
      setDone(`Thank you for rating ${(r as { ticket: string }).ticket}.`);
      onDone?.();
    } catch (err) {
      setError(errorText(err));
    }
  };
  // A plain function, not a component: a component made here would remount the form on every keystroke.
  const wrap = (children: ReactNode) => (card ? <section className="card narrow-wide">{children}</section> : <>{children}</>);
  if (done)
    return wrap(<p role="status">{done}</p>);
  return wrap(
    <>
      {card && <h1>How did we do?</h1>}
      <form onSubmit={(e) => void submit(e)} className="stack">
        <fieldset className="stars">
          <legend>Your rating (1 = not at all satisfied, 5 = very satisfied)</legend>
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className="check">
              <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} /> {n}
            </label>
          ))}
        </fieldset>
        <label>
          Anything you want to tell us (optional)
          <textarea name="comment" rows={4} maxLength={5000} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="submit" className="primary">
            Send rating
          </button>
        </div>
      </form>
    </>,
  );
}
