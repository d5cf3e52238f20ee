import { describe, expect, it } from 'vitest';
import { collectResults } from '../../src/orchestrate/batch/collect.js';
import { checkUsage, inputTokenBound } from '../../src/orchestrate/token-bound.js';
import { ProviderError, type BatchOutcome } from '../../src/providers/provider.js';
import { jsonlLines } from '../../src/providers/jsonl-lines.js';

async function* chunks(parts: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('jsonlLines (issue 22 case 11)', () => {
  it('reads a line split over many chunks, and drops a line past the cap keeping its head', async () => {
    const enc = new TextEncoder();
    const body = '{"custom_id":"a","x":1}\n\n{"custom_id":"bb","pad":"' + 'y'.repeat(5000) + '"}\n{"custom_id":"c"}';
    const bytes = enc.encode(body);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) parts.push(bytes.subarray(i, i + 7));
    const lines = await all(jsonlLines(chunks(parts), 1000));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ text: '{"custom_id":"a","x":1}' });
    expect(lines[1]).toMatchObject({ tooLong: true, bytes: 5027 });
    expect((lines[1] as { head: string }).head.startsWith('{"custom_id":"bb"')).toBe(true);
    expect(lines[2]).toEqual({ text: '{"custom_id":"c"}' });
  });

  it('reads a 256 MB line in time linear in its size (no rescan of what it holds)', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const n = 4096; // 256 MiB in 64 KiB chunks
    const started = performance.now();
    const lines = await all(jsonlLines(chunks((function* () {
      for (let i = 0; i < n; i++) yield chunk;
      yield new TextEncoder().encode('\n{"ok":1}\n');
    })()), 1 << 20));
    const ms = performance.now() - started;
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ tooLong: true, bytes: n * chunk.length });
    expect(lines[1]).toEqual({ text: '{"ok":1}' });
    // A rescan of the held text per chunk would read about n^2/2 chunks (half a terabyte here).
    expect(ms).toBeLessThan(20_000);
  });

  it('a body cut short ends with the error, after every whole line', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('{"a":1}\n{"b":');
      throw new TypeError('terminated');
    }
    const got: unknown[] = [];
    await expect((async () => { for await (const l of jsonlLines(broken(), 1000)) got.push(l); })()).rejects.toThrow('terminated');
    expect(got).toEqual([{ text: '{"a":1}' }]);
  });
});

describe('usage reports (issue 22 cases 5 and 6)', () => {
  const request = { messages: [{ role: 'user' as const, content: 'héllo' }], maxTokens: 10 };
  it('bounds the input by the UTF-8 bytes sent plus the chat framing', () => {
    expect(inputTokenBound(request)).toBe(6 + 16 + 64);
  });
  it('a negative, fractional or non-finite count is not a usage; more than the bound is flagged but kept', () => {
    const bounds = { input: inputTokenBound(request), output: 10 };
    for (const bad of [-1e9, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const v = checkUsage({ input: bad, output: 1 }, bounds);
      expect(v.usage).toBeUndefined();
      expect(v.problem).toMatch(/not a token count/);
    }
    expect(checkUsage({ input: 100_000, output: 1 }, bounds)).toMatchObject({ usage: { input: 100_000, output: 1 }, problem: expect.stringMatching(/100000 input tokens for a request of at most 86/) });
    expect(checkUsage({ input: 10, output: 11 }, bounds).problem).toMatch(/past max_tokens 10/);
    expect(checkUsage({ input: 86, output: 10 }, bounds)).toEqual({ usage: { input: 86, output: 10 } });
    // A billed request always sends input, and a non-empty answer took output: 0 is a dropped count, not a bill.
    expect(checkUsage({ input: 0, output: 0 }, bounds, { priced: true, text: 'positive' })).toEqual({ problem: expect.stringMatching(/0 input and 0 output tokens/) });
    expect(checkUsage({ input: 86, output: 0 }, bounds, { priced: true, text: 'positive' }).usage).toBeUndefined();
    expect(checkUsage({ input: 86, output: 0 }, bounds, { priced: true, text: '' })).toEqual({ usage: { input: 86, output: 0 } });
    // A free local server reports 0 input tokens for a prompt it had cached: no bill, no problem.
    expect(checkUsage({ input: 0, output: 1 }, bounds, { priced: false, text: 'positive' })).toEqual({ usage: { input: 0, output: 1 } });
  });
  it('a batch answer with a negative usage is charged its bound, never credited', async () => {
    async function* outcomes(): AsyncGenerator<BatchOutcome> {
      yield { customId: 'k', status: 'ok', result: { text: 'a', usage: { input: -1e9, output: 1 } } };
    }
    const got = await collectResults(outcomes(), ['k'], { input: 1e6, output: 1e6 }, () => {}, Infinity, () => ({ input: 86, output: 10 }));
    expect(got.cost).toBe(96);
    expect(got.usageProblems.count).toBe(1);
  });
});

describe('collectResults (issue 22 case 7)', () => {
  it('keeps every good line around an unreadable one, and stops at a cut with what came', async () => {
    const err = new ProviderError('bad-response', 'x');
    async function* outcomes(): AsyncGenerator<BatchOutcome> {
      yield { customId: 'a', status: 'ok', result: { text: 'A' } };
      yield { status: 'unreadable', error: err };
      yield { customId: 'b', status: 'ok', result: { text: 'B' } };
      yield { status: 'cut', error: new ProviderError('connection', 'terminated') };
    }
    const put: string[] = [];
    const got = await collectResults(outcomes(), ['a', 'b', 'c'], undefined, (k) => put.push(k));
    expect(put).toEqual(['a', 'b']);
    expect(got.unreadable.count).toBe(1);
    expect(got.cut?.message).toBe('terminated');
    expect(got.missing).toEqual(['c']);
  });
});
