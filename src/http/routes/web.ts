/**
 * The web console and customer portal (web/, built by `npm run build:web` into web/dist),
 * served by the API server itself: the hashed files under /assets, and index.html for every
 * page path of the client-side router (so a reload on /tickets/ESC-12 works). The page
 * prefixes are listed rather than caught by a bare `/*`, so nothing under /api or /docs is
 * ever shadowed (unknown API paths and router-level errors keep the API's error shape).
 * Without a build, a short page says how to make one instead of a bare 404.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { errorBody } from '../errors.ts';

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The page paths of web/src/app.tsx's router; a new top-level page adds its prefix here. */
export const PAGES = ['/', '/login', '/contact', '/rate/*', '/queues', '/queues/*', '/tickets/*', '/dashboard', '/matrix', '/policy', '/portal', '/portal/*', '/support-hours', '/admin', '/admin/*', '/set-password', '/quick-reference', '/drills', '/drills/*', '/risk'];

/** Paths that are never console pages: an unknown one keeps the API's JSON 404. */
const NOT_CONSOLE = /^\/(api|docs|metrics|healthz|readyz|assets)(\/|$)/;

/**
 * Whether an unmatched request is a browser asking for a console page (GET/HEAD, HTML accepted,
 * outside the API, docs and assets): the console then answers 404 with its own not-found page.
 */
export function wantsConsolePage(method: string, path: string, accept: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && !NOT_CONSOLE.test(path) && (accept ?? '').includes('text/html');
}

/** The console's index.html with `status` (the client-side router shows its not-found page for unknown paths). */
export async function sendConsoleIndex(reply: FastifyReply, status = 200, root = WEB_DIST): Promise<FastifyReply> {
  const html = await readFile(join(root, 'index.html')).catch(() => null);
  reply.code(status).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
  return reply.send(html ?? NOT_BUILT);
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Escalon</title></head>
<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto">
<h1>Escalon</h1><p>The web console has not been built yet. Run <code>npm run build:web</code>
(or <code>npm start</code>, which builds it when missing), then reload.</p>
<p>The API is at <a href="/docs">/docs</a>.</p></body></html>`;

/** The file under `root` a URL path names, or null when it escapes the root or is not a file. */
async function fileFor(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = normalize(join(root, decoded));
  if (!full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  const s = await stat(full).catch(() => null);
  return s?.isFile() ? full : null;
}

export const webRoutes: FastifyPluginAsync<{ root?: string }> = async (app, opts) => {
  const root = opts.root ?? WEB_DIST;

  const sendIndex = async (reply: FastifyReply) => sendConsoleIndex(reply, 200, root);

  const page = { config: { access: 'public' as const }, schema: { hide: true } };
  for (const url of PAGES) app.get(url, page, async (_req, reply) => sendIndex(reply));

  app.get('/assets/*', page, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const file = await fileFor(root, path);
    if (!file) return reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `no file ${path}`));
    reply
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type((Object.hasOwn(TYPES, extname(file).toLowerCase()) ? TYPES[extname(file).toLowerCase()] : undefined) ?? 'application/octet-stream');
    return reply.send(await readFile(file));
  });
};
