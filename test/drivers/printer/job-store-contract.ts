/**
 * The contract every PrintJobStore must meet (codebase-conventions §3.6): run it on the
 * in-memory store here and on the agent's SQLite store there.
 */
import type { Test } from 'tap';
import type { NewJob, PrintJobStore } from '../../../drivers/printer/queue.js';

const job = (id: string, over: Partial<NewJob> = {}): NewJob => ({
  id, key: `R-${id}`, doc: { n: id, hindi: 'पावती' }, duplicate: false, state: 'queued', attempts: 0, createdAt: 1, updatedAt: 1, ...over,
});

export function jobStoreContract(t: Test, make: () => Promise<PrintJobStore> | PrintJobStore): void {
  t.test('insert assigns increasing seq; get returns a copy', async (t) => {
    const s = await make();
    const a = await s.insert(job('a'));
    const b = await s.insert(job('b'));
    t.ok(b > a);
    const got = await s.get('a');
    t.match(got, { id: 'a', key: 'R-a', seq: a, state: 'queued', doc: { hindi: 'पावती' } });
    (got!.doc as { n: string }).n = 'changed';
    t.match(await s.get('a'), { doc: { n: 'a' } });
    t.equal(await s.get('nope'), undefined);
    await t.rejects(s.insert(job('a')), 'duplicate id refused');
  });
  t.test('update patches; list filters by state in seq order', async (t) => {
    const s = await make();
    for (const id of ['1', '2', '3']) await s.insert(job(id));
    await s.update('2', { state: 'sending', attempts: 1, updatedAt: 5 });
    await s.update('3', { state: 'uncertain', error: 'x' });
    t.same((await s.list(['queued'])).map((j) => j.id), ['1']);
    t.same((await s.list(['queued', 'sending', 'uncertain'])).map((j) => j.id), ['1', '2', '3']);
    t.match(await s.get('2'), { state: 'sending', attempts: 1, updatedAt: 5, key: 'R-2' });
    t.match(await s.get('3'), { error: 'x' });
    await t.rejects(s.update('9', { state: 'printed' }));
  });
}
