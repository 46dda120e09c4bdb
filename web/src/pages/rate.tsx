/** The satisfaction survey behind the signed link of the resolution email: a rating 1–5 and a comment. */
import { useState, type FormEvent } from 'react';
import { errorText, post } from '../api.ts';

export function RatePage({ token }: { token: string }) {
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
      const r = await post<{ ticket: string }>(`/csat/${encodeURIComponent(token)}`, { rating, ...(comment.trim() && { comment: comment.trim() }) });
      setDone(`Thank you for rating ${r.ticket}.`);
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (done)
    return (
      <section className="card narrow-wide">
        <p role="status">{done}</p>
      </section>
    );
  return (
    <section className="card narrow-wide">
      <h1>How did we do?</h1>
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
    </section>
  );
}
