/**
 * A real headless Chromium (Debian's `chromium`) driven over the Chrome DevTools protocol: open a
 * page, evaluate expressions in it, wait for the DOM to show something. No browser library needed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export interface Page {
  eval<T = unknown>(expression: string): Promise<T>;
  waitFor<T = unknown>(expression: string, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function openPage(url: string): Promise<Page> {
  const profile = mkdtempSync(join(tmpdir(), 'fleet-chromium-'));
  const proc = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--remote-debugging-port=0',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  const wsUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${stderr.slice(-500)}`)), 30_000);
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${stderr.slice(-500)}`)));
  });
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let next = 0;
  const waiting = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    const w = msg.id === undefined ? undefined : waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id!);
    if (msg.error) w.reject(new Error(msg.error.message));
    else w.resolve(msg.result ?? {});
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const { targetId } = (await send('Target.createTarget', { url })) as { targetId: string };
  const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId)) as {
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as T;
  };
  return {
    eval: evaluate,
    async waitFor<T>(expression: string, what: string, timeoutMs = 10_000): Promise<T> {
      const end = Date.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        try {
          last = await evaluate<T>(expression);
          if (last) return last as T;
        } catch (err) {
          last = (err as Error).message;
        }
        if (Date.now() > end) throw new Error(`timed out waiting in the page for ${what} (last: ${JSON.stringify(last)})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      ws.close();
      proc.kill('SIGKILL');
      // Killed by a signal, a process has a signalCode and no exitCode.
      if (proc.exitCode === null && proc.signalCode === null) await new Promise((r) => proc.once('exit', r));
      // Chromium's helper processes may still be writing the profile for a moment.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // A helper process outlived the browser: leave the temporary profile rather than fail.
      }
    },
  };
}
