/**
 * A durable PrintJobStore on one JSON file (write to a temp file, fsync, rename), standing in
 * for the agent's SQLite store in the kill -9 test, where state must survive the process.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { JobPatch, JobState, NewJob, PrintJob, PrintJobStore } from '../../../drivers/printer/queue.js';

export class FileJobStore implements PrintJobStore {
  constructor(readonly path: string) {}

  #load(): { seq: number; jobs: PrintJob[] } {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as { seq: number; jobs: PrintJob[] }) : { seq: 0, jobs: [] };
  }
  #save(d: { seq: number; jobs: PrintJob[] }): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify(d));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
  }
  insert(job: NewJob): Promise<number> {
    const d = this.#load();
    if (d.jobs.some((j) => j.id === job.id)) return Promise.reject(new Error(`job ${job.id} exists`));
    d.seq++;
    d.jobs.push({ ...job, seq: d.seq });
    this.#save(d);
    return Promise.resolve(d.seq);
  }
  update(id: string, patch: JobPatch): Promise<void> {
    const d = this.#load();
    const i = d.jobs.findIndex((j) => j.id === id);
    if (i < 0) return Promise.reject(new Error(`no job ${id}`));
    d.jobs[i] = { ...d.jobs[i]!, ...patch };
    this.#save(d);
    return Promise.resolve();
  }
  get(id: string): Promise<PrintJob | undefined> {
    return Promise.resolve(this.#load().jobs.find((j) => j.id === id));
  }
  list(states: readonly JobState[]): Promise<PrintJob[]> {
    return Promise.resolve(this.#load().jobs.filter((j) => states.includes(j.state)).sort((a, b) => a.seq - b.seq));
  }
}
