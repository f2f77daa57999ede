/**
 * Prints the scrypt hash of a PIN for the `auth.users[].pinHash` field of the agent's
 * configuration (agent/auth/pin.ts). The PIN is read from standard input, so it stays out of the
 * shell history and the process list:
 *
 *   printf '%s' 4821 | node dist/scripts/hash-pin.js
 */
import { hashPin, PIN_PATTERN } from '../agent/auth/pin.js';

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => (input += d));
process.stdin.on('end', () => {
  const pin = input.trim();
  if (!PIN_PATTERN.test(pin)) {
    process.stderr.write('hash-pin: a PIN is 4 to 8 digits, given on standard input\n');
    process.exit(64);
  }
  hashPin(pin).then(
    (hash) => process.stdout.write(`${hash}\n`),
    (err: unknown) => {
      process.stderr.write(`hash-pin: ${(err as Error).message}\n`);
      process.exit(70);
    },
  );
});
