/**
 * One message from one or more rendered notices (merged ones): the first notice's subject
 * with a count of the others, the texts one after another, and the HTML bodies likewise.
 */
import type { RenderedMessage } from './templates/render.ts';

const BODY = /<body[^>]*>([\s\S]*)<\/body>/i;

function innerHtml(html: string): string {
  return BODY.exec(html)?.[1] ?? html;
}

export function composeMessage(parts: RenderedMessage[]): { subject: string; text: string; html: string } {
  const [first, ...rest] = parts;
  if (!first) throw new Error('composeMessage: nothing to compose');
  if (rest.length === 0) return first;
  const subject = `${first.subject} (+${rest.length} more update${rest.length > 1 ? 's' : ''})`;
  const text = parts.map((p) => `${p.subject}\n\n${p.text.trim()}`).join('\n\n----------------------------------------\n\n') + '\n';
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${parts.map((p) => innerHtml(p.html)).join('<hr>')}</body></html>`;
  return { subject, text, html };
}
