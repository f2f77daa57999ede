/** `systemd-analyze verify` on a unit file, for the unit tests where systemd is installed. */
import { execFile, execFileSync } from 'node:child_process';

export const hasAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export const verify = (path: string) =>
  new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile('systemd-analyze', ['verify', path], { timeout: 60_000 }, (err, _out, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }));
  });
