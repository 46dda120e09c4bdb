/**
 * The server side of bench/attachments.bench.ts, in its own process so its memory can be
 * watched alone: the Escalon API (SQLite, disk byte store) and, beside it in the same
 * process, a bare Fastify route that takes the same file as one buffered body and writes it
 * to disk (the baseline). Prints one JSON line with the ports and a token, then serves until
 * killed.
 */
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createToken } from '../src/app/create-token.ts';
import { createUser } from '../src/app/create-user.ts';
import { systemClock, type AppDeps } from '../src/app/deps.ts';
import { createOrganization } from '../src/app/manage-organization.ts';
import { buildApp } from '../src/http/build-app.ts';
import { diskByteStore } from '../src/store/byte-store.ts';
import { openStore } from '../src/store/connect.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { newId } from '../src/store/new-id.ts';

const LIMIT = 8 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'escalon-attach-bench-'));
const store = openStore(`sqlite:${join(dir, 'escalon.db')}`);
await migrateToLatest(store);
const deps: AppDeps = { store, clock: systemClock, attachmentLimit: LIMIT, files: diskByteStore(join(dir, 'files')) };
const org = await createOrganization(deps, { name: 'Bench', tier: 'standard' });
const user = await createUser(deps, { email: `bench-${newId()}@example.com`, name: 'Bench', role: 'agent', organizationId: null });
const { secret } = await createToken(deps, { user: { id: user.id }, name: 'bench' });
void org;
const app = await buildApp({ ...deps, http: { bodyLimit: 1 << 20, loginRateLimit: 10, sessionTtlMs: 3_600_000, secureCookies: false } });
const address = await app.listen({ port: 0, host: '127.0.0.1' });

const bare = Fastify({ bodyLimit: LIMIT });
bare.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
bare.post('/buffered', async (req, reply) => {
  await writeFile(join(dir, `buffered-${newId()}`), req.body as Buffer);
  return reply.code(201).send({ ok: true });
});
const bareAddress = await bare.listen({ port: 0, host: '127.0.0.1' });

process.stdout.write(`${JSON.stringify({ address, bareAddress, token: secret, dir })}\n`);
