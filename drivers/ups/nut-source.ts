/**
 * The `nut` back-end: polls one UPS on upsd with `LIST VAR` (one round trip gets status, charge,
 * runtime and voltages together, so they are consistent). Default `ups@127.0.0.1:3493`.
 */
import { type Logger, silentLogger } from '../common/logger.js';
import { instcmd, isNutError, isNutUnreachable, listVar } from '../../protocols/nut/index.js';
import { type Clock, systemClock } from './clock.js';
import { isUpsError, UpsError, UpsErrorCode } from './errors.js';
import { NutClient, type NutClientOptions } from './nut-client.js';
import type { UpsCommand, UpsSource } from './source.js';
import { stateFromNutVars, type UpsState } from './state.js';

export interface NutSourceOptions extends NutClientOptions {
  /** UPS name in ups.conf. Default "ups". */
  ups?: string;
}

/** Parses `name@host:port` (upsc syntax); missing parts take the defaults. */
export function parseNutTarget(target: string): { ups: string; host: string; port: number } {
  const m = /^([^@]+)(?:@([^:]+|\[[^\]]+\])(?::(\d+))?)?$/.exec(target.trim());
  if (!m) return { ups: 'ups', host: '127.0.0.1', port: 3493 };
  return { ups: m[1]!, host: (m[2] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : 3493 };
}

export class NutSource implements UpsSource {
  readonly backend = 'nut' as const;
  readonly ups: string;
  readonly client: NutClient;
  #clock: Clock;

  constructor(opts: NutSourceOptions = {}) {
    this.ups = opts.ups ?? 'ups';
    this.#clock = opts.clock ?? systemClock;
    const logger: Logger = (opts.logger ?? silentLogger).child({ ups: this.ups });
    this.client = new NutClient({ ...opts, logger });
  }

  start(): Promise<void> {
    return this.client.start();
  }

  stop(): Promise<void> {
    return this.client.stop();
  }

  async read(): Promise<UpsState> {
    let vars: Map<string, string>;
    try {
      vars = await this.client.request(listVar(this.ups));
    } catch (e) {
      if (isUpsError(e)) throw e;
      if (isNutUnreachable(e)) throw new UpsError(UpsErrorCode.Unreachable, `upsd has no fresh data for ${this.ups}`, { cause: e });
      if (isNutError(e)) throw new UpsError(e.code === 'NUT_PROTOCOL' ? UpsErrorCode.BadReply : UpsErrorCode.Refused, `upsd refused LIST VAR ${this.ups}`, { cause: e });
      throw e;
    }
    const { state, waiting } = stateFromNutVars(vars, this.#clock.now());
    if (waiting) throw new UpsError(UpsErrorCode.Unreachable, `upsd reports WAIT for ${this.ups} (driver not updated yet)`);
    return state;
  }

  /** INSTCMD; needs `username`/`password` of a upsd.users entry with `instcmds` (reference §4.4). */
  async command(cmd: UpsCommand): Promise<void> {
    try {
      await this.client.request(instcmd(this.ups, cmd));
    } catch (e) {
      if (isNutError(e)) throw new UpsError(UpsErrorCode.Refused, `upsd refused INSTCMD ${cmd}`, { cause: e });
      throw e;
    }
  }
}
