// Builds the server and CLI (src/ → dist/server/escalon.mjs) with esbuild: one ES module, every
// package external (native modules included), a linked source map. The published `escalon`
// (bin/escalon.js) runs that file, not a TypeScript loader, and calls ensureServerBuilt() first,
// so a checkout whose build is missing or older than its sources is rebuilt at start (like the
// web console, web/ensure-built.mjs). `npm ci` builds it (the `prepare` script), `npm test` too
// (`pretest`).
//
//   node scripts/build-server.mjs            build now
//   node scripts/build-server.mjs --if-stale build only when missing or stale
//
// Code that finds files relative to its own module (`new URL('../../policies/…', import.meta.url)`)
// keeps working from the bundle: in every source file `import.meta.url` is rewritten to that
// source file's own URL, computed relative to the bundle's location (not an absolute path, so a
// built checkout can move).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'dist', 'server');
export const SERVER_ENTRY = join(OUT_DIR, 'escalon.mjs');
const INPUTS = join(OUT_DIR, 'inputs.json');
const SOURCE_ENTRY = join(ROOT, 'src', 'cli', 'main.ts');
/** Files whose change makes the build stale besides the bundled sources. */
const BUILD_FILES = [fileURLToPath(import.meta.url), join(ROOT, 'tsconfig.json')];

/**
 * Why the build must be (re)made, or null when it is current: missing, or a bundled source (as
 * listed by the last build's metafile) or this script changed after it — or is gone. A
 * checkout without src/ (nothing to build from) uses the build it has.
 */
export function staleReason() {
  if (!existsSync(SOURCE_ENTRY)) return existsSync(SERVER_ENTRY) ? null : 'no build and no sources';
  let builtAt;
  let inputs;
  try {
    builtAt = statSync(SERVER_ENTRY).mtimeMs;
    inputs = JSON.parse(readFileSync(INPUTS, 'utf8'));
  } catch {
    return 'no build yet';
  }
  if (!Array.isArray(inputs)) return 'no list of inputs';
  for (const file of [...inputs.map((f) => join(ROOT, f)), ...BUILD_FILES]) {
    let m;
    try {
      m = statSync(file).mtimeMs;
    } catch {
      return `${relative(ROOT, file)} is gone`;
    }
    if (m > builtAt) return `${relative(ROOT, file)} changed`;
  }
  return null;
}

/** The plugin that gives each bundled source file its own `import.meta.url`. */
const sourceUrls = {
  name: 'escalon-source-urls',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromBundle = relative(OUT_DIR, args.path).split(sep).join('/');
      const own = `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`;
      return { contents: text.replace(/\bimport\.meta\.url\b/g, own), loader: 'ts' };
    });
  },
};

/** Builds now. Writes beside and renames, so concurrent starts never read half a file. */
export async function buildServer() {
  // The build is as new as the sources it read: a source saved while it runs makes it stale.
  const started = new Date();
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [SOURCE_ENTRY],
    outdir: OUT_DIR,
    entryNames: 'escalon',
    // Commands are imported on demand (src/cli/main.ts): each in its own chunk, beside the entry
    // (same depth, so the source URLs below hold for every chunk).
    splitting: true,
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [sourceUrls],
    banner: { js: '// Built by scripts/build-server.mjs from src/ — do not edit; it is rebuilt when src/ changes.' },
  });
  mkdirSync(OUT_DIR, { recursive: true });
  const tag = `.${process.pid}.${Date.now()}.tmp`;
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  writeFileSync(INPUTS + tag, JSON.stringify(inputs, null, 1));
  renameSync(INPUTS + tag, INPUTS);
  // The map first, the bundle last: the bundle's mtime is the build's.
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === SERVER_ENTRY) - Number(b.path === SERVER_ENTRY));
  for (const f of files) {
    writeFileSync(f.path + tag, f.contents);
    renameSync(f.path + tag, f.path);
  }
  utimesSync(SERVER_ENTRY, started, started);
  // Chunks of earlier builds: gone once no process can still be starting from them.
  const kept = new Set([...files.map((f) => f.path), INPUTS]);
  for (const name of readdirSync(OUT_DIR)) {
    const path = join(OUT_DIR, name);
    if (kept.has(path)) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { force: true });
    } catch {
      // removed by another build meanwhile
    }
  }
  return inputs.length;
}

/** Rebuilds when stale; returns the URL of the module to import. */
export async function ensureServerBuilt({ quiet = false } = {}) {
  const reason = staleReason();
  if (reason !== null) {
    if (!quiet) process.stderr.write(`building the server (src/ → dist/server; ${reason})…\n`);
    try {
      await buildServer();
    } catch (e) {
      const code = /** @type {{ code?: string }} */ (e).code;
      // An installation this user may not write to (a global install, a read-only image): the
      // build it has is the one to run.
      if (existsSync(SERVER_ENTRY) && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')) {
        if (!quiet) process.stderr.write(`cannot rebuild the server here (${code}); running the existing build\n`);
      } else {
        process.stderr.write(`the server did not build: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      }
    }
  }
  return pathToFileURL(SERVER_ENTRY).href;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifStale = process.argv.includes('--if-stale');
  const reason = ifStale ? staleReason() : 'asked';
  if (reason === null) process.exit(0);
  const t = performance.now();
  try {
    const n = await buildServer();
    process.stdout.write(`built dist/server/escalon.mjs from ${n} sources in ${Math.round(performance.now() - t)} ms\n`);
  } catch (e) {
    process.stderr.write(`the server did not build: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
