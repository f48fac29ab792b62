#!/usr/bin/env tsx
// `grin-auth setup`: see grin-auth-main.ts.
import { grinAuthMain } from './grin-auth-main.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const code = await grinAuthMain(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
  signal: controller.signal,
});
process.exit(code);
