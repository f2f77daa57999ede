/**
 * Capture-to-template time against the simulated module on a real pty at 57,600 baud, with the
 * simulator's realistic module timings (GenImg 120 ms, Img2Tz 180 ms, …): finger down to features
 * in a CharBuffer, a full enrolment (two captures → RegModel → Store), and a 1:N identify.
 */
import { median, ptyRig, type Result } from './_rig.js';

export async function run(): Promise<Result[]> {
  const rig = await ptyRig();
  try {
    const { sim, driver } = rig;
    const capture: number[] = [];
    const enroll: number[] = [];
    const identify: number[] = [];
    for (let i = 0; i < 5; i++) {
      sim.touch({ finger: `bench-${i}`, liftPolls: 0 });
      let t0 = performance.now();
      await driver.ops.capture(1);
      capture.push(performance.now() - t0);

      sim.touch({ finger: `bench-${i}` }, { finger: `bench-${i}`, liftPolls: 0 });
      t0 = performance.now();
      await driver.ops.enroll();
      enroll.push(performance.now() - t0);

      sim.touch({ finger: `bench-${i}`, liftPolls: 0 });
      t0 = performance.now();
      await driver.ops.identify();
      identify.push(performance.now() - t0);
    }
    await driver.ops.clear();
    const note = 'median of 5; simulated R30x on a socat pty at 57,600 baud';
    return [
      { name: 'r30x capture to template (GenImg + Img2Tz)', value: median(capture), unit: 'ms', note },
      { name: 'r30x enrol (2 captures, RegModel, Store)', value: median(enroll), unit: 'ms', note: `${note}; includes duplicate search, lift check, index table` },
      { name: 'r30x identify (capture + 1:N search)', value: median(identify), unit: 'ms', note },
    ];
  } finally {
    await rig.close();
  }
}
