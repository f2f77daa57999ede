// devices.ups and simulate.ups in the agent configuration: the driver's defaults, every rule
// reported with its path, the NUT password masked, next to the other device sections.
import t from 'tap';
import { ConfigError, parseConfig } from '../../../agent/config/load.js';
import { maskSecrets } from '../../../agent/config/mask.js';

const base = {
  schemaVersion: 2,
  kiosk: { id: 'RJ-JAI-0001', district: 'Jaipur', lsp: 'e-Mitra LSP 12' },
  mqtt: { url: 'mqtts://broker.example:8883' },
};
const json = (extra: Record<string, unknown>) => JSON.stringify({ ...base, ...extra });

function problems(extra: Record<string, unknown>): string[] {
  try {
    parseConfig(json(extra), 'config.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

t.test('an empty UPS section is NUT on localhost with the shutdown defaults; no section is no UPS', (t) => {
  const { config } = parseConfig(json({ devices: { ups: {} } }), 'x');
  t.match(config.devices.ups, {
    enabled: true,
    backend: 'nut',
    nut: { target: 'ups@127.0.0.1:3493', requestTimeoutMs: 5000 },
    pollIntervalMs: 2000,
    policy: { debounceMs: 1000, staleAfterMs: 15_000, minRuntimeS: 180, minChargePct: null, shutdownOnCommLostOnBattery: true },
    shutdown: { command: ['systemctl', 'poweroff'], dryRun: false, flushTimeoutMs: 5000 },
  });
  t.equal(parseConfig(json({}), 'x').config.devices.ups, undefined);
  t.end();
});

t.test('each rule is reported with its path', (t) => {
  t.match(problems({ devices: { ups: { backend: 'apcupsd' } } }).join('\n'), /devices\.ups\.backend/);
  t.match(problems({ devices: { ups: { backend: 'megatec-serial' } } }).join('\n'), /devices\.ups\.serial: megatec-serial needs serial\.path/);
  t.match(problems({ devices: { ups: { pollIntervalMs: 10_000 } } }).join('\n'), /devices\.ups\.policy\.staleAfterMs: staleAfterMs must cover at least two polls/);
  t.match(problems({ devices: { ups: { shutdown: { command: 'systemctl poweroff' } } } }).join('\n'), /devices\.ups\.shutdown\.command/, 'a string, not an argument list');
  t.match(problems({ devices: { ups: { shutdown: { command: [] } } } }).join('\n'), /devices\.ups\.shutdown\.command/);
  t.match(problems({ devices: { ups: { nutt: {} } } }).join('\n'), /devices\.ups/, 'unknown keys refused');
  t.match(problems({ simulate: { ups: { cutAtSec: -1 } } }).join('\n'), /simulate\.ups\.cutAtSec/);
  t.end();
});

t.test('the NUT password is masked; the fingerprint section sits beside it', (t) => {
  const { config } = parseConfig(
    json({ devices: { fingerprint: { r30x: { path: '/dev/ttyUSB0' } }, ups: { nut: { target: 'ups@127.0.0.1:3493', username: 'agent', password: 'hunter2' } } } }),
    'x',
  );
  const shown = JSON.stringify(maskSecrets(config));
  t.notMatch(shown, /hunter2/);
  t.match(maskSecrets(config).devices.ups?.nut, { username: 'agent', password: '***' });
  t.ok(config.devices.fingerprint, 'fingerprint section kept');
  t.match(parseConfig(json({ simulate: { ups: { cutAtSec: 15 } } }), 'x').config.simulate?.ups, { cutAtSec: 15, cutForSec: 10, dischargeVps: 0.005 });
  t.end();
});
