// devices.fingerprint in the agent configuration: defaults, every rule reported with its path,
// the reader password masked, and other device sections left to their own capabilities.
import t from 'tap';
import { ConfigError, parseConfig } from '../../../agent/config/load.js';
import { maskSecrets } from '../../../agent/config/mask.js';

const base = {
  schemaVersion: 2,
  kiosk: { id: 'RJ-JAI-0001', district: 'Jaipur', lsp: 'e-Mitra LSP 12' },
  mqtt: { url: 'mqtts://broker.example:8883' },
};
const withDevices = (devices: unknown) => JSON.stringify({ ...base, devices });

function problems(devices: unknown): string[] {
  try {
    parseConfig(withDevices(devices), 'config.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

t.test('an R30x section gets the driver defaults; RD polling follows e-KYC unless set', (t) => {
  const { config } = parseConfig(withDevices({ fingerprint: { r30x: { path: '/dev/serial/by-id/usb-fp' } } }), 'x');
  t.same(config.devices.fingerprint, {
    r30x: {
      enabled: true,
      path: '/dev/serial/by-id/usb-fp',
      baudRate: 57600,
      address: 0xffffffff,
      password: 0,
      pollMs: 100,
      captureDeadlineMs: 10000,
      backoff: { baseMs: 500, capMs: 30000 },
    },
    rd: { healthPollSec: 60 },
  });
  t.equal(parseConfig(JSON.stringify(base), 'x').config.devices.fingerprint, undefined, 'no section: no reader');
  t.end();
});

t.test('each rule is reported with its path', (t) => {
  t.match(problems({ fingerprint: { r30x: {} } }), [/devices\.fingerprint\.r30x\.path/]);
  t.match(problems({ fingerprint: { r30x: { path: '/dev/x', baudRate: 50000 } } }), [/devices\.fingerprint\.r30x\.baudRate: a multiple of 9600/]);
  t.match(problems({ fingerprint: { r30x: { path: '/dev/x', password: -1 } } }), [/devices\.fingerprint\.r30x\.password/]);
  t.match(problems({ fingerprint: { r30x: { path: '/dev/x', password: 2 ** 32 } } }), [/devices\.fingerprint\.r30x\.password/]);
  t.match(problems({ fingerprint: { r30x: { path: '/dev/x', captureDeadlineMs: 10 } } }), [/captureDeadlineMs/]);
  t.match(problems({ fingerprint: { r30x: { path: '/dev/x', baud: 9600 } } }), [/devices\.fingerprint\.r30x.*baud/]);
  t.match(problems({ fingerprint: { rd: { healthPollSec: 1 } } }), [/devices\.fingerprint\.rd\.healthPollSec/]);
  t.match(problems({ fingerprint: { rd: { ports: [11100] } } }), [/devices\.fingerprint\.rd.*ports/], 'RD ports belong to ekyc.rd, not here');
  t.end();
});

t.test('the reader password is masked; other device sections are validated by their own schemas', (t) => {
  const { config } = parseConfig(
    withDevices({ fingerprint: { r30x: { path: '/dev/ttyUSB0', password: 305419896 } }, printer: { transport: { type: 'tcp', host: '10.0.0.9' } } }),
    'x',
  );
  const shown = JSON.stringify(maskSecrets(config));
  t.notMatch(shown, /305419896/);
  t.match(maskSecrets(config).devices.fingerprint?.r30x, { password: '***', path: '/dev/ttyUSB0' });
  t.match(config.devices, { printer: { transport: { type: 'tcp', host: '10.0.0.9', port: 9100 } } });
  t.end();
});
