/**
 * The built-in SMTP listener: mail to the intake domain becomes tickets and replies.
 * Refusals happen in the SMTP dialogue, with a reason the sending server reports back:
 *   RCPT  550 5.7.1 — an address outside the intake domain (no relaying), or a reply address
 *                     whose signature does not match (a forged reply);
 *   DATA  552 5.3.4 — larger than the limit (also announced in EHLO SIZE);
 *         550 5.6.0 — malformed: unparseable, or no From address;
 *         550 5.7.1 — refused by intake (unknown sender without an intake organization, …);
 *         451 4.3.0 — a temporary fault here (the database): the sender retries later.
 * Nothing is stored for a refused message. Threading: the signed reply address wins; else a
 * ticket key in the subject (`[ESC-12]`) or in In-Reply-To/References (our thread ids). Cc
 * addresses (outside the intake domain) become the new ticket's CCs.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { AppDeps } from '../app/deps.ts';
import { DomainError } from '../domain/errors.ts';
import { checkReplyAddress } from '../notify/signed-links.ts';
import { receiveMessage, type IntakeOptions, type IntakeResult } from './receive-message.ts';
import { stripQuotedReply } from './strip-quoted-reply.ts';

export interface SmtpListenerOptions extends IntakeOptions {
  host: string;
  port: number;
  domain: string;
  maxBytes: number;
  secret: string;
  onResult?: (r: IntakeResult) => void;
  onError?: (err: unknown) => void;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

type SmtpError = Error & { responseCode: number };
const refuse = (code: number, message: string): SmtpError => Object.assign(new Error(message), { responseCode: code });

const KEY_IN_SUBJECT = /\[(ESC-\d{1,15})\]/gi;
const THREAD_ID = /<ticket-([0-9a-f-]{36})@/gi;

function readBody(mail: ParsedMail): string {
  const text = mail.text ?? (typeof mail.html === 'string' ? mail.html.replace(/<[^>]*>/g, ' ') : '');
  return text.trim();
}

async function claimedKeys(deps: AppDeps, mail: ParsedMail): Promise<string[]> {
  const keys = [...(mail.subject ?? '').matchAll(KEY_IN_SUBJECT)].map((m) => (m[1] as string).toUpperCase());
  const refs = [mail.inReplyTo ?? '', ...(Array.isArray(mail.references) ? mail.references : [mail.references ?? ''])].join(' ');
  for (const m of refs.matchAll(THREAD_ID)) {
    const t = await deps.store.db.selectFrom('tickets').select('key').where('id', '=', m[1] as string).executeTakeFirst();
    if (t) keys.push(t.key);
  }
  return [...new Set(keys)];
}

/** The Cc header's addresses, without our own intake addresses and the sender. */
function copiedAddresses(mail: ParsedMail, domain: string, sender: string): string[] {
  const lists = mail.cc === undefined ? [] : Array.isArray(mail.cc) ? mail.cc : [mail.cc];
  const all = lists.flatMap((l) => l.value.map((v) => (v.address ?? '').trim().toLowerCase()));
  return [...new Set(all)].filter((a) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a) && !a.endsWith(`@${domain}`) && a !== sender.toLowerCase()).slice(0, 20);
}

export async function startSmtpListener(deps: AppDeps, o: SmtpListenerOptions): Promise<SmtpListener> {
  const domain = o.domain.toLowerCase();
  const server = new SMTPServer({
    name: domain,
    banner: 'Escalon intake',
    size: o.maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const rcpt = address.address.toLowerCase();
      if (!rcpt.endsWith(`@${domain}`)) return callback(refuse(550, `5.7.1 ${rcpt}: relaying denied; this server accepts mail for @${domain} only`));
      const reply = checkReplyAddress(o.secret, rcpt);
      if (reply.kind === 'forged') return callback(refuse(550, `5.7.1 ${rcpt}: the reply address's signature does not match; reply to the address in our message`));
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(refuse(552, `5.3.4 message exceeds the fixed maximum message size of ${o.maxBytes} bytes`));
        const raw = Buffer.concat(chunks);
        const signed = session.envelope.rcptTo.map((r) => checkReplyAddress(o.secret, r.address)).find((c) => c.kind === 'valid');
        handle(raw, signed?.kind === 'valid' ? signed.ticketKey : undefined).then(
          () => callback(),
          (err: SmtpError) => callback(err),
        );
      });
    },
  });

  async function handle(raw: Buffer, trustedKey: string | undefined): Promise<void> {
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw);
    } catch (err) {
      throw refuse(550, `5.6.0 malformed message: ${(err as Error).message}`);
    }
    const from = mail.from?.value[0];
    if (!from?.address || !/^[^@\s]+@[^@\s]+$/.test(from.address)) throw refuse(550, '5.6.0 malformed message: no valid From address');
    if (!mail.subject && !mail.text && !mail.html) throw refuse(550, '5.6.0 malformed message: neither subject nor body');
    const body = readBody(mail);
    try {
      const result = await receiveMessage(
        deps,
        {
          channel: 'email',
          externalId: mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`,
          senderEmail: from.address,
          senderName: from.name,
          subject: mail.subject ?? '',
          body: trustedKey || mail.inReplyTo ? stripQuotedReply(body) : body,
          raw,
          ...(trustedKey !== undefined && { trustedTicketKey: trustedKey }),
          claimedTicketKeys: await claimedKeys(deps, mail),
          // mailparser hands each part over decoded in memory (the whole mail is bounded by
          // ESCALON_INTAKE_MAX_BYTES); from here on it is streamed like an upload
          attachments: mail.attachments.map((a) => ({ filename: a.filename, size: a.size, open: () => Readable.from([a.content]) })),
          ccs: copiedAddresses(mail, domain, from.address),
        },
        o,
      );
      o.onResult?.(result);
    } catch (err) {
      if (err instanceof DomainError) throw refuse(550, `5.7.1 ${err.message}`);
      o.onError?.(err);
      throw refuse(451, '4.3.0 temporary failure storing the message; try again later');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  server.on('error', (err) => o.onError?.(err));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
