/**
 * The SSRF corpus: webhook URLs that point at internal addresses, in 40 spellings — loopback
 * in decimal, hex, octal and short forms, IPv6 and IPv4-mapped IPv6, the unspecified
 * addresses, cloud metadata, the private ranges, IPv6 unique-local and link-local (with a zone
 * id), userinfo tricks, trailing dots, names that resolve to internal addresses (a stub
 * resolver: no network here), a name with one public and one internal address, and a redirect
 * from an allowed host to an internal one.
 *
 * Each is delivered through the real webhook channel (the dispatcher's path) with no private
 * allow: every one must end `failed` with the guard's refusal (a URL no parser accepts is
 * refused when the policy is validated, before anything is saved), and a receiver listening on
 * 127.0.0.1 (and ::1) at the very port the URLs name must see 0 connections.
 *
 * A safety net under the guard: while this file runs, a socket connect to any address outside
 * the loopback is refused and recorded (a regression must fail this test, never send traffic
 * to a private or public network). The control at the end — the same receiver with the
 * per-endpoint allow (`allow_private`) — does get a hit, so the zero above means something.
 */
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createWebhookChannel } from '../../src/notify/channels/webhook.ts';
import type { OutgoingMessage } from '../../src/notify/channels/channel.ts';
import { ensureEndpoint } from '../../src/notify/webhook-endpoints-repo.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { describeStores } from '../helpers/db.ts';

/** The stub resolver: names of the corpus → their addresses; anything else goes to the real one. */
const FAKE_DNS: Record<string, string[]> = {
  'loopback.ssrf.test': ['127.0.0.1'],
  'localhost.': ['127.0.0.1'],
  'metadata.ssrf.test': ['169.254.169.254'],
  'private.ssrf.test': ['10.20.30.40'],
  'v6-loopback.ssrf.test': ['::1'],
  'mapped.ssrf.test': ['::ffff:127.0.0.1'],
  // one public, one internal address: the guard checks every answer, not just the first
  'mixed.ssrf.test': ['93.184.216.34', '127.0.0.1'],
  'evil.example': ['93.184.216.34'],
};

vi.mock('node:dns', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns')>();
  type Cb = (err: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void;
  const lookup = (hostname: string, options: unknown, callback?: Cb) => {
    const cb = (typeof options === 'function' ? options : callback) as Cb;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { all?: boolean };
    const fake = FAKE_DNS[hostname.toLowerCase()];
    if (!fake) return (real.lookup as unknown as (h: string, o: object, c: Cb) => void)(hostname, opts, cb);
    const answers = fake.map((address) => ({ address, family: net.isIP(address) }));
    setImmediate(() => (opts.all ? cb(null, answers) : cb(null, answers[0]!.address, answers[0]!.family)));
  };
  return { ...real, default: { ...real, lookup }, lookup };
});

const LOOPBACK = (address: string) => /^127\./.test(address) || /^::ffff:127\./i.test(address) || address === '::1' || address === '0.0.0.0' || address === '::';

/** Refuses (and records) every socket connect to an address outside the loopback. */
function installSafetyNet(attempts: string[]): () => void {
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const o = (Array.isArray(first) ? first[0] : first) as { host?: string; lookup?: typeof import('node:dns').lookup } | number | string;
    if (typeof o === 'object' && o !== null && typeof o.host === 'string') {
      const host = o.host.replace(/^\[|\]$/g, '');
      if (net.isIP(host) && !LOOPBACK(host)) {
        attempts.push(host);
        throw new Error(`ssrf-corpus safety net: refused a connection to ${host}`);
      }
      if (!net.isIP(host) && o.lookup) {
        const inner = o.lookup;
        o.lookup = ((name: string, opts: object, cb: (err: Error | null, a: unknown, f?: number) => void) =>
          (inner as unknown as (n: string, o: object, c: typeof cb) => void)(name, opts, (err, a, f) => {
            const list = Array.isArray(a) ? (a as Array<{ address: string }>).map((x) => x.address) : typeof a === 'string' ? [a] : [];
            const outside = list.find((x) => !LOOPBACK(x));
            if (!err && outside) {
              attempts.push(`${name} → ${outside}`);
              return cb(new Error(`ssrf-corpus safety net: refused ${name} → ${outside}`), '');
            }
            cb(err, a, f);
          })) as unknown as typeof inner;
      }
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return () => {
    net.Socket.prototype.connect = original;
  };
}

interface Receiver {
  port: number;
  connections: number;
  requests: string[];
  close(): Promise<void>;
}

/** Counts every TCP connection (a TLS hello counts too) on 127.0.0.1 and, where it exists, ::1. */
async function startReceiver(respond: (res: import('node:http').ServerResponse) => void = (res) => res.end('ok')): Promise<Receiver> {
  const r: Receiver = { port: 0, connections: 0, requests: [], close: async () => undefined };
  const make = () => {
    const s = createServer((req, res) => {
      r.requests.push(`${req.method} ${req.url}`);
      respond(res);
    });
    s.on('connection', () => r.connections++);
    return s;
  };
  const v4 = make();
  await new Promise<void>((ok) => v4.listen(0, '127.0.0.1', ok));
  r.port = (v4.address() as AddressInfo).port;
  const servers: Server[] = [v4];
  const v6 = make();
  await new Promise<void>((ok) => {
    v6.once('error', () => ok());
    v6.listen(r.port, '::1', () => {
      servers.push(v6);
      ok();
    });
  });
  r.close = async () => {
    for (const s of servers) await new Promise((ok) => s.close(ok));
  };
  return r;
}

/** The corpus: each URL names the receiver's port, so a leak would land there. */
function corpus(port: number): string[] {
  const p = port;
  return [
    `http://127.0.0.1:${p}/hook`,
    `http://127.0.0.2:${p}/hook`,
    `http://127.255.255.254:${p}/hook`,
    `http://localhost:${p}/hook`,
    `http://LOCALHOST:${p}/hook`,
    `http://localhost.:${p}/hook`,
    `http://0.0.0.0:${p}/hook`,
    `http://0:${p}/hook`,
    `http://[::]:${p}/hook`,
    `http://[::1]:${p}/hook`,
    `http://[0:0:0:0:0:0:0:1]:${p}/hook`,
    `http://2130706433:${p}/hook`,
    `http://0x7f000001:${p}/hook`,
    `http://017700000001:${p}/hook`,
    `http://0x7f.1:${p}/hook`,
    `http://127.1:${p}/hook`,
    `http://127.0.1:${p}/hook`,
    `http://127.0.0.1.:${p}/hook`,
    `http://[::ffff:127.0.0.1]:${p}/hook`,
    `http://[::ffff:7f00:1]:${p}/hook`,
    `http://[0:0:0:0:0:ffff:127.0.0.1]:${p}/hook`,
    `http://[::127.0.0.1]:${p}/hook`,
    `https://127.0.0.1:${p}/hook`,
    `http://169.254.169.254/latest/meta-data/iam/security-credentials/`,
    `http://[fe80::a9fe:a9fe]/latest/meta-data/`,
    `http://10.0.0.1:${p}/hook`,
    `http://10.255.255.254:${p}/hook`,
    `http://172.16.0.1:${p}/hook`,
    `http://172.31.255.254:${p}/hook`,
    `http://192.168.0.1:${p}/hook`,
    `http://192.168.255.254:${p}/hook`,
    `http://100.64.0.1:${p}/hook`,
    `http://[fd00::1]:${p}/hook`,
    `http://[fc00::1]:${p}/hook`,
    `http://[2002:7f00:1::]:${p}/hook`,
    `http://[64:ff9b::7f00:1]:${p}/hook`,
    `http://evil.example@127.0.0.1:${p}/hook`,
    `http://127.0.0.1:${p}@127.0.0.1:${p}/hook`,
    `http://user:pass@localhost:${p}/hook`,
    `http://loopback.ssrf.test:${p}/hook`,
    `http://metadata.ssrf.test/latest/meta-data/`,
    `http://private.ssrf.test:${p}/hook`,
    `http://v6-loopback.ssrf.test:${p}/hook`,
    `http://mapped.ssrf.test:${p}/hook`,
    `http://mixed.ssrf.test:${p}/hook`,
  ];
}

/** URLs no parser accepts (an IPv6 zone id, bad brackets): refused when the policy is validated. */
const UNPARSEABLE = (port: number) => [`http://[fe80::1%25eth0]:${port}/hook`, `http://[fe80::1%eth0]:${port}/hook`, `http://[::1:${port}/hook`, `http://127.0.0.1:${port}:${port}/hook`];

const message = (to: string, n: number): OutgoingMessage => ({
  messageId: `msg_ssrf_${n}`,
  to,
  subject: 'ssrf',
  text: 'ssrf',
  html: '',
  data: { ticket: 'ESC-1' },
  ticketKey: 'ESC-1',
});

describeStores('SSRF corpus', (ctx) => {
  let t: TestApp;
  let rx: Receiver;
  const attempts: string[] = [];
  let restore: () => void = () => undefined;

  beforeAll(async () => {
    t = await makeTestApp(ctx.store);
    rx = await startReceiver();
    restore = installSafetyNet(attempts);
  });
  afterAll(async () => {
    restore();
    await rx.close();
    await t.app.close();
  });

  it(`refuses every internal address form at delivery; the receiver gets 0 connections`, async () => {
    const urls = corpus(rx.port);
    expect(urls.length).toBeGreaterThanOrEqual(40);
    const channel = createWebhookChannel(t.deps.store.db, { timeoutMs: 2000, allowPrivate: false, disableAfter: 1000 });
    const outcomes: Array<[string, string]> = [];
    for (const [i, url] of urls.entries()) {
      const o = await channel.deliver(message(url, i), t.deps.clock.now());
      outcomes.push([url, o.kind === 'failed' && /^refused: /.test(o.error) ? 'refused' : `${o.kind}: ${'error' in o ? o.error : ''}`]);
    }
    expect(outcomes).toEqual(urls.map((u) => [u, 'refused']));
    expect(rx.connections).toBe(0);
    expect(attempts).toEqual([]);
  });

  it('refuses a URL no parser accepts when the policy is validated (nothing saved)', async () => {
    for (const url of [`http://hooks.example.com:${rx.port}/hook`, ...UNPARSEABLE(rx.port)]) {
      const doc = `version: 1
calendars: { always: { timezone: UTC, hours: 24x7 } }
levels: [{ id: L1, name: One }]
teams: { frontline: { level: L1, calendar: always } }
rules:
  - id: hook
    on: ticket.created
    do:
      - notify: { to: [{ webhook: "${url}" }], template: idle-reminder }
`;
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/policy/plan', headers: { ...t.auth('admin'), 'content-type': 'text/yaml' }, payload: doc });
      if (url.includes('hooks.example.com')) {
        expect(res.statusCode, `the control document is valid: ${res.body}`).toBe(200);
        continue;
      }
      expect(res.statusCode, `${url}: ${res.body}`).toBe(422);
      const problems = res.json<{ error: { code: string; details: { problems: Array<{ message: string }> } } }>().error;
      expect(problems.code).toBe('POLICY_INVALID');
      expect(problems.details.problems.some((p) => p.message.includes('is not an http(s) URL')), JSON.stringify(problems)).toBe(true);
    }
    expect(rx.connections).toBe(0);
  });

  it('does not follow a redirect from an allowed host to an internal one', async () => {
    const internal = await startReceiver();
    const allowed = await startReceiver((res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/steal` });
      res.end();
    });
    try {
      const url = `http://127.0.0.1:${allowed.port}/hook`;
      // The allow-list of the guard: this one endpoint may reach a private address.
      await ensureEndpoint(t.deps.store.db, url, t.deps.clock.now(), { allowPrivate: true });
      const channel = createWebhookChannel(t.deps.store.db, { timeoutMs: 2000, allowPrivate: false, disableAfter: 1000 });
      const o = await channel.deliver(message(url, 1000), t.deps.clock.now());
      expect(o).toMatchObject({ kind: 'retry', statusCode: 302, error: expect.stringContaining('redirects are not followed') });
      expect(allowed.requests).toEqual(['POST /hook']);
      expect(internal.connections).toBe(0);
    } finally {
      await internal.close();
      await allowed.close();
    }
  });

  it('control: with the per-endpoint allow, the same receiver is reached (the zero above is real)', async () => {
    const url = `http://127.0.0.1:${rx.port}/hook-allowed`;
    await ensureEndpoint(t.deps.store.db, url, t.deps.clock.now(), { allowPrivate: true });
    const channel = createWebhookChannel(t.deps.store.db, { timeoutMs: 2000, allowPrivate: false, disableAfter: 1000 });
    const o = await channel.deliver(message(url, 2000), t.deps.clock.now());
    expect(o).toMatchObject({ kind: 'sent' });
    expect(rx.requests).toEqual(['POST /hook-allowed']);
    // and the safety net does catch what the guard would have let through
    const net2 = await new Promise<string>((ok) => {
      const s = net.connect({ host: '10.20.30.40', port: 9 });
      s.on('error', (e) => ok(e.message));
    }).catch((e: Error) => e.message);
    expect(net2).toContain('safety net');
    expect(attempts.splice(0)).toEqual(['10.20.30.40']);
  });
});
