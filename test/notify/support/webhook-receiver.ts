/**
 * A local HTTP receiver that checks the Standard Webhooks signature with its own code (not
 * Escalon's: the spec's recipe written out here), and answers as the test tells it — e.g.
 * failing every other request on purpose.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  id: string;
  timestamp: string;
  signatureOk: boolean;
  body: Record<string, unknown>;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** The secret signatures are checked with (a test may change it, e.g. after a rotation). */
  secret: string;
  hooks: ReceivedHook[];
  /** Decides the status of each request (index counts every request). */
  respond: (index: number, headers: IncomingHttpHeaders) => { status: number; headers?: Record<string, string> };
  close(): Promise<void>;
}

function verify(secret: string, id: string, ts: string, body: string, header: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return header.split(' ').some((sig) => {
    const [version, value] = sig.split(',');
    if (version !== 'v1' || !value) return false;
    const got = Buffer.from(value, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  let count = 0;
  const receiver: WebhookReceiver = {
    url: '',
    secret,
    hooks: [],
    respond: () => ({ status: 204 }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const ts = String(req.headers['webhook-timestamp'] ?? '');
      const signatureOk = verify(receiver.secret, id, ts, raw, String(req.headers['webhook-signature'] ?? ''));
      const answer = receiver.respond(count++, req.headers);
      receiver.hooks.push({ id, timestamp: ts, signatureOk, body: JSON.parse(raw) as Record<string, unknown>, status: answer.status });
      res.writeHead(answer.status, answer.headers ?? {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/escalon`;
  return receiver;
}
