/**
 * `kiosk-fleet loadgen`: simulates N kiosks against a broker (see generator.ts) and reports what
 * it sent every few seconds: one line each, or JSON lines with --json for a harness to read.
 */
import { parseArgs } from 'node:util';
import { type LoadOptions, type LoadReport, LoadGenerator } from './generator.js';

export const LOADGEN_USAGE = `Usage: kiosk-fleet loadgen [options]

Simulates kiosks against a broker, protocol-exact: each kiosk its own MQTT connection with its
kiosk id as client id and its own last will, a birth after connecting, the retained state,
heartbeats with jitter and sim.tick events, every message valid under the telemetry contract.

Options:
  --mqtt-url URL          broker (default mqtt://127.0.0.1:1883)
  --count N               kiosks (default 100)
  --heartbeat SEC         heartbeat interval (default 60), ±5 % jitter
  --events-per-hour N     events per kiosk per hour (default 6)
  --states-per-hour N     state snapshots per kiosk per hour besides the one after each birth (default 1)
  --duration SEC          run this long once every kiosk is connected, then stop (default: until SIGINT/SIGTERM)
  --id-prefix PREFIX      kiosk ids PREFIX-00001 … (default LG)
  --districts A,B,…       districts, assigned round-robin (default Jaipur,Jodhpur,Udaipur,Kota,Ajmer)
  --connect-rate N        new connections per second while ramping up (default 200)
  --report-every SEC      report interval (default 10)
  --stop drop|shutdown    how kiosks stop: drop (the broker sends every will) or shutdown (default)
  --validate-all          run every message through the contract validator (default: first per channel)
  --json                  reports as JSON lines
  -h, --help              show this help

10,000 kiosks need as many sockets on both sides: raise \`ulimit -n\` for this process and the broker.
`;

export class LoadgenUsageError extends Error {}

function int(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new LoadgenUsageError(`--${name} must be a number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new LoadgenUsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function parseLoadgenArgs(args: string[]): { options: LoadOptions; durationSec?: number; reportEverySec: number; stop: 'drop' | 'shutdown'; json: boolean; help: boolean } {
  let v: Record<string, string | boolean | undefined>;
  try {
    v = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'mqtt-url': { type: 'string' },
        count: { type: 'string' },
        heartbeat: { type: 'string' },
        'events-per-hour': { type: 'string' },
        'states-per-hour': { type: 'string' },
        duration: { type: 'string' },
        'id-prefix': { type: 'string' },
        districts: { type: 'string' },
        'connect-rate': { type: 'string' },
        'report-every': { type: 'string' },
        stop: { type: 'string' },
        'validate-all': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new LoadgenUsageError((err as Error).message.split('. ')[0] ?? 'bad arguments');
  }
  const s = (k: string): string | undefined => v[k] as string | undefined;
  const url = s('mqtt-url') ?? 'mqtt://127.0.0.1:1883';
  try {
    new URL(url);
  } catch {
    throw new LoadgenUsageError(`--mqtt-url is not a URL: '${url}'`);
  }
  const districts = (s('districts') ?? 'Jaipur,Jodhpur,Udaipur,Kota,Ajmer').split(',').map((d) => d.trim()).filter(Boolean);
  if (districts.length === 0 || districts.some((d) => d.length > 64)) throw new LoadgenUsageError('--districts must list names of at most 64 characters');
  const stop = s('stop') ?? 'shutdown';
  if (stop !== 'drop' && stop !== 'shutdown') throw new LoadgenUsageError(`--stop must be drop or shutdown, got '${stop}'`);
  const duration = s('duration');
  return {
    options: {
      url,
      count: int('count', s('count'), 100, 1, 100_000),
      heartbeatSec: int('heartbeat', s('heartbeat'), 60, 1, 86_400),
      eventsPerHour: int('events-per-hour', s('events-per-hour'), 6, 0, 36_000),
      statesPerHour: int('states-per-hour', s('states-per-hour'), 1, 0, 36_000),
      idPrefix: s('id-prefix') ?? 'LG',
      districts,
      connectRate: int('connect-rate', s('connect-rate'), 200, 1, 100_000),
      validateAll: v['validate-all'] === true,
    },
    ...(duration !== undefined ? { durationSec: int('duration', duration, 0, 1, 7 * 86_400) } : {}),
    reportEverySec: int('report-every', s('report-every'), 10, 1, 3600),
    stop,
    json: v.json === true,
    help: v.help === true,
  };
}

export function renderReport(r: LoadReport, previous: LoadReport | undefined): string {
  const secs = previous ? (r.at - previous.at) / 1000 : 0;
  const rate = previous && secs > 0 ? ((r.published - previous.published) / secs).toFixed(1) : '-';
  const ch = Object.entries(r.byChannel).map(([c, n]) => `${c}=${n}`).join(' ');
  return `${new Date(r.at).toISOString()} connected ${r.connected}/${r.kiosks} published ${r.published} (${rate}/s) acked ${r.acked} inflight ${r.inflight} drops ${r.drops} connect-failures ${r.connectFailures} errors ${r.errors} [${ch}]${r.lastError ? ` last error: ${r.lastError}` : ''}\n`;
}

export async function loadgenCommand(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; signal?: AbortSignal }): Promise<number> {
  const p = parseLoadgenArgs(args);
  if (p.help) {
    io.stdout.write(LOADGEN_USAGE);
    return 0;
  }
  let gen: LoadGenerator;
  try {
    gen = new LoadGenerator(p.options);
  } catch (err) {
    throw new LoadgenUsageError((err as Error).message);
  }
  let previous: LoadReport | undefined;
  const emit = (phase: string): void => {
    const r = gen.report();
    io.stdout.write(p.json ? `${JSON.stringify({ phase, ...r })}\n` : renderReport(r, previous));
    previous = r;
  };
  const timer = setInterval(() => emit('run'), p.reportEverySec * 1000);
  let onSignal: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    io.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  const t0 = Date.now();
  await Promise.race([gen.start(), stopped]);
  emit('ramped');
  if (!p.json) io.stderr.write(`all ${p.options.count} kiosks connected in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const ends = p.durationSec !== undefined ? new Promise<void>((r) => setTimeout(r, p.durationSec! * 1000).unref()) : new Promise<void>(() => undefined);
  await Promise.race([ends, stopped]);
  clearInterval(timer);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  await gen.stop(p.stop);
  // Let the last PUBACKs and DISCONNECTs go out before the final count.
  await new Promise((r) => setTimeout(r, 200));
  emit('stopped');
  return 0;
}
