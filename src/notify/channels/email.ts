/**
 * Email over SMTP with nodemailer (a pooled transport). The Message-ID is the outbox row's
 * stable id, so a retried mail is the same mail; replies come back to the signed reply
 * address and thread under the ticket's root id. A 5xx answer is permanent, anything else
 * (4xx, connection refused, timeout) is retried.
 */
import nodemailer from 'nodemailer';
import type { Channel, DeliveryOutcome, OutgoingMessage } from './channel.ts';

export interface EmailOptions {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  from: string;
  /** Domain for Message-IDs (the From address's domain by default). */
  messageIdDomain?: string;
  timeoutMs: number;
  /** Accept a self-signed certificate (tests, internal relays). */
  allowInvalidCertificates?: boolean;
}

export function mailMessageId(id: string, domain: string): string {
  return `<${id}@${domain}>`;
}

/** In-Reply-To and References: the customer's mail a reply answers, else the ticket's thread root. */
function threading(m: OutgoingMessage, domain: string): { inReplyTo?: string; references?: string[] } {
  const root = m.threadId !== undefined ? [mailMessageId(m.threadId, domain)] : [];
  const references = [...root, ...(m.references ?? [])];
  const inReplyTo = m.inReplyTo ?? root[0];
  return { ...(references.length > 0 && { references }), ...(inReplyTo !== undefined && { inReplyTo }) };
}

export function createEmailChannel(o: EmailOptions): Channel {
  const domain = o.messageIdDomain ?? o.from.split('@')[1] ?? 'escalon.local';
  const transport = nodemailer.createTransport({
    host: o.host,
    port: o.port,
    secure: o.secure,
    pool: true,
    maxConnections: 4,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs * 3,
    ...(o.user !== undefined && { auth: { user: o.user, pass: o.password ?? '' } }),
    ...(o.allowInvalidCertificates && { tls: { rejectUnauthorized: false } }),
  });
  return {
    name: 'email',
    async deliver(m: OutgoingMessage): Promise<DeliveryOutcome> {
      const opened = (m.attachments ?? []).map((a) => ({ a, source: a.open() }));
      try {
        await transport.sendMail({
          from: o.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: mailMessageId(m.messageId, domain),
          ...(m.replyTo !== undefined && { replyTo: m.replyTo }),
          ...threading(m, domain),
          // A person's reply is not an automatic message (auto-responders may answer it).
          headers: { ...(m.data.kind !== 'reply' && { 'Auto-Submitted': 'auto-generated' }), ...(m.ticketKey !== null && { 'X-Escalon-Ticket': m.ticketKey }) },
          // nodemailer reads each stream as it writes the message: no attachment is held whole
          ...(opened.length > 0 && {
            attachments: opened.map(({ a, source }) => ({ filename: a.filename, contentType: a.contentType, ...(typeof source === 'string' ? { path: source } : { content: source }) })),
          }),
        });
        return { kind: 'sent' };
      } catch (err) {
        const e = err as { responseCode?: number; response?: string; message: string; code?: string };
        const code = e.responseCode;
        const error = `${e.code ? `${e.code}: ` : ''}${e.response ?? e.message}`;
        if (code !== undefined && code >= 500) return { kind: 'failed', statusCode: code, error };
        return { kind: 'retry', error, ...(code !== undefined && { statusCode: code }) };
      } finally {
        // a failed attempt may leave streams unread: release their files
        for (const { source } of opened) if (typeof source !== 'string') source.destroy();
      }
    },
    close: async () => transport.close(),
  };
}
