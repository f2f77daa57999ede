/**
 * The battery charge shown in the UPS's device entry, on mains as well as on battery (issue 11:
 * how far the battery has recharged after an outage matters to the operator).
 *
 * Every change of the device entry publishes a retained `state` message (DESIGN §5). A Megatec
 * charge is estimated from the pack voltage (reference ups-megatec-nut.md; protocols/megatec
 * battery.ts), and on float charge that voltage wobbles, so the estimate can flip between two
 * neighbouring values at every poll. A change of one point is therefore shown once two readings
 * in a row agree on it; a larger change (an outage, a jump) is shown at once.
 */
export class ShownCharge {
  #shown: number | null = null;
  #candidate: number | null = null;

  /** The charge to show after a reading of `pct` (null: the source does not know it). */
  next(pct: number | null): number | null {
    if (pct === null || this.#shown === null || Math.abs(pct - this.#shown) >= 2) {
      this.#shown = pct;
      this.#candidate = null;
    } else if (pct === this.#shown) {
      this.#candidate = null;
    } else if (this.#candidate === pct) {
      this.#shown = pct;
      this.#candidate = null;
    } else {
      this.#candidate = pct;
    }
    return this.#shown;
  }
}
