import t from 'tap';
import { readdirSync } from 'node:fs';
import { printerStatusReport, printerTestPage } from '../../../drivers/printer/technician.js';
import { startSimulatedPrinter } from '../../../drivers/printer/sim-server.js';
import { tcpLink } from '../../../drivers/printer/link-tcp.js';
import { PrinterErrorCode } from '../../../drivers/printer/errors.js';
import { silentLogger } from '../../../drivers/common/logger.js';

t.test('kioskctl printer status / test against a simulated printer that keeps PNGs', async (t) => {
  const dir = t.testdir();
  const p = await startSimulatedPrinter({ port: 0, pngDir: dir, paper: 58 });
  t.teardown(() => p.close());
  const openLink = tcpLink({ host: '127.0.0.1', port: p.server.port });
  const st = await printerStatusReport({ openLink, logger: silentLogger, statusTimeoutMs: 500 });
  t.match(st, { reachable: true, health: { state: 'ok', paper: 'ok' }, statusSupported: true, status: { paperEnd: false, coverOpen: false } });
  t.notOk('test' in st);
  const tp = await printerTestPage({ openLink, logger: silentLogger, paper: 58, now: Date.UTC(2026, 10, 24), statusTimeoutMs: 500 });
  t.match(tp, { reachable: true, test: { outcome: 'printed' } });
  t.same(readdirSync(dir), ['receipt-0001.png']);
  p.sim.set({ coverOpen: true });
  const refused = await printerTestPage({ openLink, logger: silentLogger, paper: 58, statusTimeoutMs: 500 });
  t.match(refused, { health: { state: 'fault', detail: 'cover open' }, test: { code: PrinterErrorCode.NotReady } });
});

t.test('an unreachable printer gives a report, not an exception', async (t) => {
  const p = await startSimulatedPrinter({ port: 0 });
  const port = p.server.port;
  await p.close();
  const r = await printerStatusReport({ openLink: tcpLink({ host: '127.0.0.1', port }), logger: silentLogger });
  t.match(r, { reachable: false, lifecycle: 'reconnecting', health: { state: 'absent' }, error: /ECONNREFUSED/ });
});
