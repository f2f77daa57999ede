#!/usr/bin/env node
// Prints the one closing line of `make test`, "N passed, N failed[, N skipped]", counted from the
// summary node-tap prints at the end of a run (`# { total: 18, pass: 17, fail: 1, skip: 0 }`).
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8');
const lines = text.split('\n').filter((l) => /^# \{ total: /.test(l));
const last = lines.at(-1);
if (!last) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const count = (k) => Number(new RegExp(`${k}: (\\d+)`).exec(last)?.[1] ?? 0);
const skipped = count('skip') + count('todo');
console.log(`${count('pass')} passed, ${count('fail')} failed${skipped ? `, ${skipped} skipped` : ''}`);
