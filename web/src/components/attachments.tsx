/** Files on a message (name, size, download link) and the file picker of a reply or request form. */
import type { Attachment } from '../api.ts';

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function AttachmentList({ items }: { items: readonly Attachment[] | undefined }) {
  if (!items || items.length === 0) return null;
  return (
    <ul className="attachments" aria-label="Attachments">
      {items.map((a) => (
        <li key={a.id}>
          <a href={a.url} download={a.filename} title={`Download ${a.filename}`}>
            {a.filename}
          </a>{' '}
          <span className="muted small">{fileSize(a.size)}</span>
        </li>
      ))}
    </ul>
  );
}

/** A file input that keeps the chosen files in state (cleared by setting `files` to []). */
export function FilePicker({ files, onChange, name = 'attachments' }: { files: readonly File[]; onChange: (files: File[]) => void; name?: string }) {
  return (
    <div className="file-picker">
      <label className="small">
        Attach files
        <input
          type="file"
          name={name}
          multiple
          // a new key after clearing resets the browser's own selection
          key={files.length === 0 ? 'empty' : 'chosen'}
          onChange={(e) => onChange([...(e.target.files ?? [])])}
        />
      </label>
      {files.length > 0 && (
        <ul className="attachments pending" aria-label="Files to send">
          {files.map((f) => (
            <li key={`${f.name}-${f.size}`}>
              {f.name} <span className="muted small">{fileSize(f.size)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
