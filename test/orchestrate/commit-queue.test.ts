/**
 * The group commit queue with more than one commit being written at once (PostgreSQL's two): a
 * group queued while another is written starts at the end of its turn; each answer settles with
 * its own group, never before it is written; a group never starts while a group being written
 * holds one of its keys; never more groups at once than the writers allowed.
 */
import { describe, expect, it } from 'vitest';
import { type CommitGroup, CommitQueue } from '../../src/orchestrate/store/commit-queue.js';

/** A store whose commits end when the test says so. */
function manualStore() {
  const writes: { group: CommitGroup; finish: () => void; fail: (e: Error) => void }[] = [];
  const write = (group: CommitGroup): Promise<void> =>
    new Promise((resolve, reject) => writes.push({ group, finish: resolve, fail: reject }));
  return { writes, write };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const at = new Date(0).toISOString();
const answer = (key: string) => ({ id: { key, provider: 'p', model: 'm' }, value: { text: key, latencyMs: 1 }, claim: 1, at });
const keysOf = (g: CommitGroup) => [...g.answers.map((a) => a.id.key), ...g.failures.map((f) => f.id.key), ...g.releases.map((r) => r.key)];

/** Records which answer promises have settled, and how. */
function track(p: Promise<void>, key: string, settled: Map<string, string>): void {
  p.then(
    () => settled.set(key, 'ok'),
    (e: Error) => settled.set(key, e.message),
  );
}

describe('CommitQueue with two writers', () => {
  it('a group queued while one is written starts at the end of its turn; each answer settles with its own group only', async () => {
    const store = manualStore();
    const queue = new CommitQueue(store.write, { writers: 2 });
    const settled = new Map<string, string>();
    track(queue.answer(answer('a')), 'a', settled);
    await turn();
    expect(store.writes.map((w) => keysOf(w.group))).toEqual([['a']]);
    track(queue.answer(answer('b')), 'b', settled);
    track(queue.answer(answer('c')), 'c', settled);
    await turn();
    // The second group is being written while the first still is.
    expect(store.writes.map((w) => keysOf(w.group))).toEqual([['a'], ['b', 'c']]);
    expect(queue.timings.peakWriting).toBe(2);
    // Both served to this run as if stored while they are written.
    expect(queue.pendingAnswer('a')?.text).toBe('a');
    expect(queue.pendingAnswer('c')?.text).toBe('c');
    // A third group waits: two are being written.
    track(queue.answer(answer('d')), 'd', settled);
    await turn();
    expect(store.writes).toHaveLength(2);
    // The second group ends first: its answers settle, the first group's do not.
    store.writes[1]!.finish();
    await turn();
    expect(Object.fromEntries(settled)).toEqual({ b: 'ok', c: 'ok' });
    // Its writer went to the queued group at once.
    expect(store.writes.map((w) => keysOf(w.group))).toEqual([['a'], ['b', 'c'], ['d']]);
    store.writes[0]!.fail(new Error('disk full'));
    store.writes[2]!.finish();
    await turn();
    expect(Object.fromEntries(settled)).toEqual({ a: 'disk full', b: 'ok', c: 'ok', d: 'ok' });
    await expect(queue.flush()).rejects.toThrow('disk full');
    expect(queue.idle).toBe(true);
    // a, b, c: their own commit only (b and c did not wait for a); d: b and c's, then its own.
    expect(queue.timings).toMatchObject({ groups: 3, answers: 4, commitsWaited: 1 + 1 + 1 + 2, peakWriting: 2 });
  });

  it('one writer (SQLite, and the default): a group queued while one is written waits for it', async () => {
    const store = manualStore();
    const queue = new CommitQueue(store.write);
    const settled = new Map<string, string>();
    track(queue.answer(answer('a')), 'a', settled);
    await turn();
    track(queue.answer(answer('b')), 'b', settled);
    await turn();
    expect(store.writes).toHaveLength(1);
    store.writes[0]!.finish();
    await turn();
    expect(store.writes.map((w) => keysOf(w.group))).toEqual([['a'], ['b']]);
    expect(Object.fromEntries(settled)).toEqual({ a: 'ok' });
    store.writes[1]!.finish();
    await queue.flush();
    expect(Object.fromEntries(settled)).toEqual({ a: 'ok', b: 'ok' });
    // b waited through a's commit, then its own.
    expect(queue.timings).toMatchObject({ answers: 2, commitsWaited: 1 + 2, peakWriting: 1 });
  });

  it('a key in a group being written: the next group holding it waits for that write (each key written in the order queued)', async () => {
    const store = manualStore();
    const queue = new CommitQueue(store.write, { writers: 2 });
    queue.failure({ id: { key: 'k', provider: 'p', model: 'm' }, failure: { kind: 'server', message: 'x', attempts: 1 }, claim: 1, at });
    await turn();
    const later = queue.answer(answer('k'));
    await turn();
    // A second writer is free, but the failure of `k` is still being written: the answer must not overtake it.
    expect(store.writes).toHaveLength(1);
    store.writes[0]!.finish();
    await turn();
    expect(store.writes.map((w) => [w.group.failures.length, w.group.answers.length])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    store.writes[1]!.finish();
    await expect(later).resolves.toBeUndefined();
  });

  it('flush waits for every group being written and for what is queued behind them', async () => {
    const store = manualStore();
    const queue = new CommitQueue(store.write, { writers: 2 });
    const settled = new Map<string, string>();
    for (const k of ['a', 'b', 'c']) {
      track(queue.answer(answer(k)), k, settled);
      await turn();
    }
    expect(store.writes).toHaveLength(2);
    let flushed = false;
    const flushing = queue.flush().then(() => (flushed = true));
    // The second write ends first; the third group starts on its writer; then the first and third end.
    store.writes[1]!.finish();
    await turn();
    expect(store.writes.map((w) => keysOf(w.group))).toEqual([['a'], ['b'], ['c']]);
    store.writes[2]!.finish();
    await turn();
    expect(flushed).toBe(false);
    store.writes[0]!.finish();
    await flushing;
    expect(Object.fromEntries(settled)).toEqual({ a: 'ok', b: 'ok', c: 'ok' });
    expect(queue.idle).toBe(true);
  });

  it('never more groups being written than writers, whatever arrives', async () => {
    const all: Promise<void>[] = [];
    let writing = 0;
    let peak = 0;
    const wrapped = new CommitQueue(
      (g) => {
        writing++;
        peak = Math.max(peak, writing);
        return new Promise<void>((resolve) => setTimeout(() => resolve(), 1 + (g.answers.length % 3))).finally(() => writing--);
      },
      { writers: 2 },
    );
    for (let i = 0; i < 200; i++) {
      all.push(wrapped.answer(answer(`k${i}`)));
      if (i % 7 === 0) await turn();
    }
    await Promise.all(all);
    await wrapped.flush();
    expect(peak).toBe(2);
    expect(wrapped.timings).toMatchObject({ answers: 200, peakWriting: 2 });
    expect(wrapped.idle).toBe(true);
  });
});
