/** A real SMTP server on loopback that keeps what it receives, and can refuse on demand (an outage). */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  port: number;
  received: ParsedMail[];
  /** While set, every message is refused with this temporary (4xx) or permanent (5xx) code. */
  refuse: { code: number; message: string } | null;
  /** While above 0, each message is answered this many ms after it arrived (a slow mail server). */
  delayMs: number;
  /** Resolves when `count` messages have arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const sink: SmtpSink = {
    port: 0,
    received: [],
    refuse: null,
    delayMs: 0,
    waitFor: (count) => new Promise((resolve) => (sink.received.length >= count ? resolve() : waiters.push({ count, resolve }))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (sink.refuse) {
          const err = Object.assign(new Error(sink.refuse.message), { responseCode: sink.refuse.code });
          return callback(err);
        }
        const pause = sink.delayMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, sink.delayMs)) : Promise.resolve();
        pause
          .then(() => simpleParser(Buffer.concat(chunks)))
          .then((mail) => {
            sink.received.push(mail);
            for (const w of waiters.filter((w) => sink.received.length >= w.count)) w.resolve();
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  // A client that drops its connection (a node killed mid-send) is not an error of the sink.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}
