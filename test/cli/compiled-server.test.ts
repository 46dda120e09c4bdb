// Issue 15: the published `escalon` runs the compiled bundle (scripts/build-server.mjs), not a
// TypeScript loader, and what the sources find relative to themselves they still find from it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'dist', 'server');
const build = (await import(pathToFileURL(join(ROOT, 'scripts', 'build-server.mjs')).href)) as {
  ensureServerBuilt(o: { quiet: boolean }): Promise<string>;
  staleReason(): string | null;
};

beforeAll(async () => {
  await build.ensureServerBuilt({ quiet: true });
}, 120_000);

describe('the compiled server', () => {
  it('is current after ensureServerBuilt, and lists the sources it was built from', () => {
    expect(build.staleReason()).toBeNull();
    const inputs = JSON.parse(readFileSync(join(OUT, 'inputs.json'), 'utf8')) as string[];
    expect(inputs).toEqual(expect.arrayContaining(['src/cli/main.ts', 'src/cli/serve.ts', 'src/store/migrations/index.ts', 'src/domain/engine/engine.ts']));
    expect(inputs.every((f) => f.startsWith('src/'))).toBe(true);
  });

  it('imports packages from node_modules (none bundled, no TypeScript loader) and bin/escalon.js runs it', () => {
    const entry = readFileSync(join(OUT, 'escalon.mjs'), 'utf8');
    const bin = readFileSync(join(ROOT, 'bin', 'escalon.js'), 'utf8');
    expect(bin).not.toMatch(/tsx/);
    const code = readdirSync(OUT).filter((f) => f.endsWith('.mjs')).map((f) => readFileSync(join(OUT, f), 'utf8')).join('\n');
    expect(code).not.toMatch(/from ["']tsx/);
    expect(code).toMatch(/from ["']better-sqlite3["']/);
    expect(code).toMatch(/from ["']fastify["']/);
    expect(entry).toMatch(/import\("\.\/simulate-[A-Z0-9]+\.mjs"\)/);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'escalon.js'), '--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(version);
  });

  it('gives every source its own import.meta.url: the lookups relative to a source resolve from the bundle', () => {
    const code = readdirSync(OUT).filter((f) => f.endsWith('.mjs')).map((f) => readFileSync(join(OUT, f), 'utf8')).join('\n');
    const lookups = [...code.matchAll(/new URL\(("[^"]+"), new URL\(("\.\.\/\.\.\/src\/[^"]+"), import\.meta\.url\)\.href\)/g)];
    const bundle = pathToFileURL(join(OUT, 'escalon.mjs'));
    const found = lookups.map(([, rel, own]) => {
      const source = new URL(JSON.parse(own as string) as string, bundle);
      expect(existsSync(source), `${own} is a source file`).toBe(true);
      return fileURLToPath(new URL(JSON.parse(rel as string) as string, source)).slice(ROOT.length);
    });
    // policies (demo seed, risk), examples (drills), web/dist (the console), package.json (--version)
    expect(found).toEqual(expect.arrayContaining(['policies/reference.policy.yaml', 'examples/', 'web/dist/', 'package.json']));
    for (const f of found.filter((p) => !p.startsWith('web/dist'))) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });
});
