import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WalCheckpointer } from '../../src/orchestrate/store/wal-checkpointer.js';
import { WriteGate } from '../../src/orchestrate/store/write-gate.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('WalCheckpointer: the worker holds the store writes only while it runs', () => {
  it("a `long` message that arrives while the worker is stopping holds nothing (the store is closing)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-stop-'));
    dirs.push(dir);
    const gate = new WriteGate();
    const checkpointer = new WalCheckpointer(join(dir, 'cache.sqlite'), gate, 60_000);
    checkpointer.start();
    const worker = (checkpointer as unknown as { worker: Worker }).worker;
    // While running, `long` holds the writes until the worker's last checkpoint is done.
    worker.emit('message', 'long');
    expect(gate.held).toBe(true);
    worker.emit('message', 'finished');
    expect(gate.held).toBe(false);
    const stopping = checkpointer.stop();
    // Sent before the worker saw `stop`, delivered while it closes.
    worker.emit('message', 'long');
    expect(gate.held).toBe(false);
    await stopping;
  });
});
