/**
 * One guarded HTTP POST for the webhook, Slack and SMS channels: the SSRF guard on the
 * connection's address, a short overall timeout, redirects not followed (a 3xx comes back as
 * a status, and the caller counts it as a failure), and at most 64 KiB of the answer read.
 */
import http from 'node:http';
import https from 'node:https';
import { checkLiteralHost, ForbiddenAddressError, guardedLookup } from './address-guard.ts';

export interface PostResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

const MAX_ANSWER = 64 * 1024;

export { ForbiddenAddressError };

export function postGuarded(url: string, o: PostOptions): Promise<PostResult> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return Promise.reject(new Error(`unsupported URL scheme ${target.protocol}`));
  if (!o.allowPrivate) {
    try {
      checkLiteralHost(target.hostname);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
  const mod = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Escalon-Webhooks/1', ...o.headers, 'content-length': String(Buffer.byteLength(o.body)) },
        agent: false,
        ...(o.allowPrivate ? {} : { lookup: guardedLookup as unknown as http.RequestOptions['lookup'] }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ANSWER) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER) });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(o.body);
  });
}

/** Retry-After in ms from seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
