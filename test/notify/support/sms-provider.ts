/** A local SMS provider: records each form-encoded or JSON request with its Authorization header, answers 201. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentSms {
  fields: Record<string, string>;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
}

export async function startSmsProvider(): Promise<{ url: string; sent: SentSms[]; close(): Promise<void> }> {
  const sent: SentSms[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const json = (req.headers['content-type'] ?? '').includes('json');
      const fields = json ? (JSON.parse(body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(body));
      const key = req.headers['idempotency-key'];
      sent.push({ fields, authorization: req.headers.authorization, idempotencyKey: Array.isArray(key) ? key[0] : key });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/messages`, sent, close: () => new Promise((r) => server.close(() => r())) };
}
