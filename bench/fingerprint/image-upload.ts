/**
 * UpImage over a real pty at 57,600 baud: 36,864 image bytes in 288 packets of 128 bytes plus 11
 * bytes of framing each = 40,032 bytes, about 6.95 s at 10 bits per byte (reference A7). The
 * ratio is measured time over that line limit: 1.0 means the driver adds nothing to the wire time.
 */
import { IMAGE_BYTES, wireBytesFor } from '../../protocols/r30x/index.js';
import { ptyRig, type Result } from './_rig.js';

export async function run(): Promise<Result[]> {
  const rig = await ptyRig();
  try {
    rig.sim.touch({ finger: 'bench-image' });
    await rig.driver.ops.capture(1);
    const wire = wireBytesFor(IMAGE_BYTES, 128) + 12; // + the command's ack
    const limitMs = (wire * 10 * 1000) / 57600;
    const t0 = performance.now();
    const image = await rig.driver.ops.uploadImage();
    const ms = performance.now() - t0;
    if (image.length !== IMAGE_BYTES) throw new Error(`short image: ${image.length}`);
    image.fill(0);
    return [
      { name: 'r30x image upload time', value: ms, unit: 'ms', note: `${IMAGE_BYTES} image bytes, ${wire} on the wire at 57,600 baud` },
      { name: 'r30x image upload / line limit', value: ms / limitMs, unit: 'ratio', note: `line limit ${Math.round(limitMs)} ms (10 bits per byte)` },
    ];
  } finally {
    await rig.close();
  }
}
