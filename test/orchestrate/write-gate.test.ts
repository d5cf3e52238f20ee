import { describe, expect, it } from 'vitest';
import { WriteGate } from '../../src/orchestrate/store/write-gate.js';

describe('WriteGate: a store holds its writes while a checkpoint copies the whole WAL', () => {
  it('runs a write at once when not held', () => {
    const gate = new WriteGate();
    expect(gate.run(() => 7)).toBe(7);
  });

  it('runs writes asked while held only once resumed, in the order asked, without blocking the caller', async () => {
    const gate = new WriteGate();
    const done: string[] = [];
    gate.hold();
    expect(gate.held).toBe(true);
    const a = gate.run(() => done.push('a'));
    const b = gate.run(() => done.push('b'));
    await new Promise((r) => setImmediate(r));
    expect(done).toEqual([]);
    gate.resume();
    expect(gate.held).toBe(false);
    await Promise.all([a, b]);
    expect(done).toEqual(['a', 'b']);
  });

  it('a write that throws once resumed rejects its own promise only', async () => {
    const gate = new WriteGate();
    gate.hold();
    const bad = gate.run(() => {
      throw new Error('disk full');
    });
    const good = gate.run(() => 'stored');
    gate.resume();
    await expect(bad).rejects.toThrow('disk full');
    await expect(good).resolves.toBe('stored');
  });
});
