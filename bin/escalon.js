#!/usr/bin/env node
// The package bin: runs the TypeScript CLI through tsx's loader (registered relative to this
// file, so `escalon` works from any directory).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
