#!/usr/bin/env node
// The package bin: runs the compiled server and CLI (dist/server/escalon.mjs, built from src/ by
// scripts/build-server.mjs — at `npm ci`, and here when missing or older than its sources).
import process from 'node:process';
import { ensureServerBuilt } from '../scripts/build-server.mjs';

// Run by `npx escalon …`, this process is the child of `sh -c escalon …`, itself npm's child. On
// SIGTERM npm ends the shell, which does not pass the signal on: the server would be left running,
// adopted by init. So under npm exec, losing the parent counts as a SIGTERM (the server's own
// graceful stop). Checked each second; the timer never keeps the process alive. Sent once: a
// second SIGTERM makes `serve` exit at once, without finishing its graceful stop.
if (process.env.npm_command === 'exec') {
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(orphanCheck);
    process.kill(process.pid, 'SIGTERM');
  }, 1000);
  orphanCheck.unref();
}

await import(await ensureServerBuilt({ quiet: !process.stderr.isTTY }));
