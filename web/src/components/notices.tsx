/** The outcome line of an action: a success message (status) and/or an error (alert). */
export function Notices({ flash, error }: { flash?: string | null; error?: string | null }) {
  return (
    <>
      {flash && (
        <p className="flash" role="status">
          {flash}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
