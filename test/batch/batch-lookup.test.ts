import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { customIdOf } from '../../src/orchestrate/batch/custom-id.js';
import { runBatches } from '../../src/orchestrate/batch/run-batches.js';
import { SqliteStore, openStore } from '../../src/orchestrate/cache.js';
import { type TestPostgres, freshDatabase, postgresUnavailable, startPostgres } from '../support/postgres.js';
import { createRequestBuilder } from '../../src/orchestrate/default-request.js';
import { kindOf } from '../../src/kinds/registry.js';
import { DEFAULT_PRICES } from '../../src/task/prices.js';
import { resolveModels } from '../../src/run/models.js';
import type { BatchApi, LanguageModel } from '../../src/providers/provider.js';
import type { FakeLlmServer } from '../support/fake-llm-server.js';
import { fakeServerFixture } from '../support/fake-server-fixture.js';
import { main } from '../../src/cli/main.js';
import { LABELS, captureStream, itemsOf, task } from '../integration/setup.js';

/**
 * The lookup of an Anthropic batch whose create answer was lost, among several batches of its size
 * that no record names: the one whose results carry the intent's custom_ids is its batch; none is
 * taken while one still runs, or when none or several carry them.
 */
const fixture = fakeServerFixture();
const pgMissing = postgresUnavailable();
let pgServer: TestPostgres | undefined;
afterAll(() => pgServer?.stop());
const ANTHROPIC = 'anthropic:claude-3-5-haiku-latest';
const N = 4;

/** A batch of N requests created at the provider, as another tool (or this run) would, with these custom_ids. */
async function create(server: FakeLlmServer, ids: readonly string[]): Promise<string> {
  const requests = ids.map((custom_id, i) => ({ custom_id, params: { model: 'claude-3-5-haiku-latest', max_tokens: 16, messages: [{ role: 'user', content: `${custom_id} ${i}` }] } }));
  const res = await fetch(`${server.url}/v1/messages/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
  return ((await res.json()) as { id: string }).id;
}
const end = (server: FakeLlmServer, id: string) => fetch(`${server.url}/v1/messages/batches/${id}`).then((r) => r.json());
const ids = (prefix: string) => Array.from({ length: N }, (_, i) => `${prefix}-${i}`);

async function lookup(batches: (server: FakeLlmServer) => Promise<void>) {
  const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
  const api = resolveModels([ANTHROPIC], server.env())[0]!.model.batch as BatchApi;
  const since = new Date(Date.now() - 1000);
  await batches(server);
  return api.findSubmitted({ token: 'tok', since, requests: N, keys: new Set(ids('ours')) }, new Set());
}

describe('Anthropic: a lost create among several batches of its size', () => {
  it('ours and another tool\'s, both ended: ours is the one whose results name our custom_ids, whichever was created first', async () => {
    for (const order of [['ours', 'other'], ['other', 'ours']]) {
      let ours = '';
      const found = await lookup(async (server) => {
        for (const prefix of order) {
          const id = await create(server, ids(prefix));
          if (prefix === 'ours') ours = id;
          await end(server, id);
        }
      });
      expect(found?.id).toBe(ours);
      expect(found?.done).toBe(true);
    }
  });

  it('one still running: none is taken, the message says to run the command again once they have ended', async () => {
    await expect(lookup(async (server) => {
      await end(server, await create(server, ids('ours')));
      await create(server, ids('other'));
    })).rejects.toThrow(/2 batches of 4 request\(s\) created since .* \(msgbatch_2 still running\), so none is taken yet and its calls stay pending; run the same command again once they have ended/);
  });

  it('both another tool\'s: none is taken, the calls stay pending', async () => {
    await expect(lookup(async (server) => {
      for (const prefix of ['other', 'third']) await end(server, await create(server, ids(prefix)));
    })).rejects.toThrow(/the results of none of them name this run's requests, so none is taken and its calls stay pending/);
  });

  it('both carry our custom_ids (another run with the same requests): none is taken', async () => {
    await expect(lookup(async (server) => {
      for (let i = 0; i < 2; i++) await end(server, await create(server, ids('ours')));
    })).rejects.toThrow(/the results of msgbatch_\d and msgbatch_\d all name this run's requests/);
  });

  it('a single candidate still running is taken (most likely ours, its results are checked when collected)', async () => {
    const found = await lookup(async (server) => void (await create(server, ids('other'))));
    expect(found?.id).toBe('msgbatch_1');
  });

  it('a single candidate that has ended is read first: ours is taken, another tool\'s is not (the calls stay pending instead of failing on its foreign results)', async () => {
    expect((await lookup(async (server) => void (await end(server, await create(server, ids('ours'))))))?.id).toBe('msgbatch_1');
    await expect(lookup(async (server) => void (await end(server, await create(server, ids('other')))))).rejects.toThrow(/1 batch of 4 request\(s\) created since .*: the results of none of them name this run's requests, so none is taken/);
  });
});

describe('runBatches: an earlier run\'s unconfirmed create, two batches of its size at the provider, both another tool\'s', () => {
  it('none is taken: its calls stay pending with the lookup\'s message, nothing submitted or asked, the intent kept for a later run', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const handles = resolveModels([ANTHROPIC], server.env());
    const build = createRequestBuilder(task, kindOf(task).prompt);
    const calls = itemsOf(N).map((item) => ({ handle: handles[0]!, request: build(task, item, handles[0]!.model) }));
    const path = join(fixture.tempDir().dir, 'cache.sqlite');
    // The earlier run recorded its intent, lost the create's answer and is gone (its store closed).
    const earlier = new SqliteStore(path);
    const intent = { token: 'tok-earlier', provider: 'anthropic', model: ANTHROPIC, requests: N, estimatedCost: 0, createdAt: new Date(Date.now() - 1000).toISOString() };
    await earlier.batches.addIntent(intent, calls.map((c) => customIdOf(c.handle.model, c.request)));
    await earlier.close();
    for (const prefix of ['other', 'third']) await end(server, await create(server, ids(prefix)));
    const cache = new SqliteStore(path);
    const notes: string[] = [];
    const report = await runBatches({ calls, cache, store: cache.batches, prices: DEFAULT_PRICES, poll: { initialMs: 1, maxMs: 1, factor: 1 }, onNote: (t) => notes.push(t) });
    expect(notes.join('\n')).toMatch(/could not look up a batch an earlier run was creating \(.*2 batches of 4 request\(s\).*the results of none of them name this run's requests.*\); its 4 call\(s\) stay pending/);
    expect(report.settled.size).toBe(N);
    expect(report.batchesSubmitted).toBe(0);
    expect(server.snapshot().batchesCreated).toBe(2);
    expect(server.snapshot().requests).toBe(0);
    expect((await cache.batches.intents()).map((i) => i.token)).toEqual(['tok-earlier']);
    expect(await cache.batches.list()).toEqual([]);
    await cache.close();
  });
});

/** Has `model`'s batch engine run `after` once each lookup of a lost create has answered, before the caller sees the answer. */
function afterEachLookup(model: LanguageModel, after: () => Promise<void>): void {
  const api = model.batch as BatchApi;
  const lookup = api.findSubmitted.bind(api);
  api.findSubmitted = async (...args) => {
    const found = await lookup(...args);
    await after();
    return found;
  };
}

/** Where a test's store is: a fresh PostgreSQL database named after `name`, or undefined for the SQLite file `pending` makes. */
async function storeOn(backend: 'SQLite' | 'PostgreSQL', name: string): Promise<string | undefined> {
  if (backend === 'SQLite') return undefined;
  pgServer ??= await startPostgres();
  return freshDatabase(pgServer, `${name}_${process.pid}`);
}

/** An earlier run's intent for N calls (its create's answer lost, the run gone), and the provider's batches `before` the next run. */
async function pending(before: (server: FakeLlmServer, keys: readonly string[]) => Promise<void>, store?: string) {
  const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
  const handles = resolveModels([ANTHROPIC], server.env());
  const build = createRequestBuilder(task, kindOf(task).prompt);
  const calls = itemsOf(N).map((item) => ({ handle: handles[0]!, request: build(task, item, handles[0]!.model) }));
  const keys = calls.map((c) => customIdOf(c.handle.model, c.request));
  const path = store ?? join(fixture.tempDir().dir, 'cache.sqlite');
  const earlier = openStore(path);
  await earlier.batches.addIntent({ token: 'tok-earlier', provider: 'anthropic', model: ANTHROPIC, requests: N, estimatedCost: 0, createdAt: new Date(Date.now() - 1000).toISOString() }, keys);
  await earlier.close();
  await before(server, keys);
  /** The next run; `afterLookup`: what happens between its lookup at the provider and its record of what it found (another process's doing). */
  const run = async (afterLookup?: () => Promise<void>) => {
    const cache = openStore(path);
    const notes: string[] = [];
    try {
      if (afterLookup) afterEachLookup(handles[0]!.model, afterLookup);
      const report = await runBatches({ calls, cache, store: cache.batches, prices: DEFAULT_PRICES, poll: { initialMs: 1, maxMs: 1, factor: 1 }, onNote: (t) => notes.push(t) });
      return { report, notes: notes.join('\n') };
    } finally {
      await cache.close();
    }
  };
  const batches = async (...args: string[]) => {
    const stdin = new PassThrough();
    stdin.end('');
    const io = { stdin, stdout: captureStream(), stderr: captureStream(), env: server.env() };
    const code = await main(['batches', ...args, '--cache', path], io);
    return { code, out: io.stdout.text(), err: io.stderr.text() };
  };
  return { server, keys, path, run, batches };
}

describe('fusion batches abandon: the way to settle an unconfirmed create the provider\'s list cannot tell', () => {
  it('every candidate ended, none names the calls: the pending note names the command; abandoned and kept on record, the next run asks them again in a new batch, nothing else paid', async () => {
    const p = await pending(async (server) => {
      for (const prefix of ['other', 'third']) await end(server, await create(server, ids(prefix)));
    });
    const first = await p.run();
    expect(first.report.settled.size).toBe(N);
    expect(first.notes).toMatch(/its 4 call\(s\) stay pending; if no batch at the provider is this create's, `fusion batches abandon tok-earlier` \(with this --cache\) has the next run ask them again/);
    expect((await p.batches()).out).toMatch(/1 batch create\(s\) not confirmed by the provider \(anthropic:claude-3-5-haiku-latest, 4 request\(s\), [^)]*, token tok-earlier\)/);
    // A token named twice is one abandon (not a second lookup that finds it gone and says a run resolved it).
    const abandoned = await p.batches('abandon', 'tok-earlier', 'tok-earlier');
    expect(abandoned.code, abandoned.err).toBe(0);
    expect(abandoned.err).not.toMatch(/resolved it meanwhile/);
    expect(abandoned.err.match(/tok-earlier: /g)).toHaveLength(1);
    expect(abandoned.err).toMatch(/tok-earlier: abandoned \(every candidate batch had ended and the results of none named its calls \(msgbatch_\d, msgbatch_\d\)\); the next --batch run asks its 4 call\(s\) of anthropic:claude-3-5-haiku-latest again/);
    expect(abandoned.out).toMatch(/1 batch create\(s\) abandoned \(anthropic:claude-3-5-haiku-latest, 4 request\(s\), created \S+Z, token tok-earlier, abandoned \S+Z: every candidate batch had ended/);
    expect(abandoned.out).not.toMatch(/not confirmed/);
    // Abandoned once: a second abandon of the same token names nothing on record.
    expect((await p.batches('abandon', 'tok-earlier')).code).toBe(2);
    const next = await p.run();
    expect(next.report.settled.size).toBe(0);
    expect(next.report.batchesSubmitted).toBe(1);
    expect(next.report.succeeded).toBe(N);
    expect(p.server.snapshot().batchesCreated).toBe(3);
    expect(p.server.snapshot().requests).toBe(0);
  });

  it('refused while a candidate still runs, and when a candidate\'s results name the calls (the next run collects it): the intent stays, exit 1', async () => {
    let running = '';
    const p = await pending(async (server) => {
      await end(server, await create(server, ids('other')));
      running = await create(server, ids('third'));
    });
    const refused = await p.batches('abandon', 'tok-earlier');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`tok-earlier: not abandoned: batch\\(es\\) ${running} of its size still run at the provider .*abandon it once they have ended`));
    expect(refused.out).toMatch(/token tok-earlier/);
    // It ends: ours is among the candidates, so the lookup takes it, and abandon says the next run collects it.
    await end(p.server, running);
    const ours = await create(p.server, p.keys);
    await end(p.server, ours);
    const carried = await p.batches('abandon', 'tok-earlier');
    expect(carried.code).toBe(1);
    expect(carried.err).toMatch(new RegExp(`not abandoned: the provider's batch ${ours} is this create's .*the next --batch run collects it`));
    const next = await p.run();
    expect(next.report.batchesResumed).toBe(1);
    expect(next.report.succeeded).toBe(N);
    expect(next.report.batchesSubmitted).toBe(0);
  });

  it('a create the provider has no batch of (found by its token, OpenAI) is abandoned too, and a live run\'s create is refused', async () => {
    const server = await fixture.start({ labels: LABELS, batches: { pollsToFinish: 1 } });
    const path = join(fixture.tempDir().dir, 'cache.sqlite');
    const earlier = new SqliteStore(path);
    const intent = { token: 'tok-openai', provider: 'openai', model: 'openai:gpt-4o-mini', requests: 2, estimatedCost: 0, createdAt: new Date(Date.now() - 1000).toISOString() };
    await earlier.batches.addIntent(intent, ['k1', 'k2']);
    await earlier.close();
    // A run that still holds its claims: its create is in progress.
    const running = new SqliteStore(path);
    await running.claimForBatch(['k3']);
    await running.batches.addIntent({ ...intent, token: 'tok-running', requests: 1 }, ['k3']);
    const stdin = new PassThrough();
    stdin.end('');
    const io = { stdin, stdout: captureStream(), stderr: captureStream(), env: server.env() };
    expect(await main(['batches', 'abandon', 'tok-openai', 'tok-running', '--cache', path], io)).toBe(1);
    expect(io.stderr.text()).toMatch(/tok-openai: abandoned \(the provider's list of batches showed none that could be this create's\)/);
    expect(io.stderr.text()).toMatch(/tok-running: not abandoned: the run that recorded it is still running/);
    expect((await running.batches.intents()).map((i) => i.token)).toEqual(['tok-running']);
    expect((await running.batches.abandonedIntents()).map((i) => i.token)).toEqual(['tok-openai']);
    await running.close();
  });

  it.each([['SQLite', undefined], ['PostgreSQL', pgMissing]] as const)('%s: a run that finds the batch while the user abandons its create (the abandon lands between its lookup and its record of the batch) collects it: nothing submitted again, nothing paid twice', async (backend, missing) => {
    if (missing !== undefined) return void console.warn(`skipped on ${backend}: ${missing}`);
    const location = await storeOn(backend, 'batch_abandon_race');
    const p = await pending(async (server, keys) => {
      await end(server, await create(server, keys));
    }, location);
    const concurrentAbandon = async () => {
      const other = openStore(p.path);
      expect(await other.batches.abandonIntent('tok-earlier', 'abandoned meanwhile')).toBeDefined();
      await other.close();
    };
    const next = await p.run(concurrentAbandon);
    expect(next.report.batchesSubmitted).toBe(0);
    expect(next.report.batchesResumed).toBe(1);
    expect(next.report.succeeded).toBe(N);
    expect(p.server.snapshot().batchesCreated).toBe(1);
    expect(p.server.snapshot().requests).toBe(0);
  });

  it('refused when several candidates name the calls (answered and billed there); a token not on record is a usage error that abandons nothing', async () => {
    const p = await pending(async (server, keys) => {
      for (let i = 0; i < 2; i++) await end(server, await create(server, keys));
    });
    const refused = await p.batches('abandon', 'tok-earlier');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/not abandoned: the results of batches msgbatch_\d, msgbatch_\d name its calls: they were answered and billed there/);
    expect(refused.err).toContain('`fusion batches adopt tok-earlier BATCH_ID` records the one that is this create\'s');
    const typo = await p.batches('abandon', 'tok-earlier', 'tok-typo');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/no unconfirmed batch create tok-typo/);
    expect(typo.err).not.toMatch(/tok-earlier: /);
    expect((await p.batches()).out).toMatch(/token tok-earlier/);
  });
});

describe('fusion batches adopt: the way out of an unconfirmed create whose calls the results of several ended batches name', () => {
  it.each([['SQLite', undefined], ['PostgreSQL', pgMissing]] as const)('%s: the pending note names the command; the batch the user names is recorded as the create\'s and the next run collects it, nothing asked or paid again', async (backend, missing) => {
    if (missing !== undefined) return void console.warn(`skipped on ${backend}: ${missing}`);
    const location = await storeOn(backend, 'batch_adopt');
    const made: string[] = [];
    // Another tool's batch of the create's size, and two that both carry its calls (another run with the same requests on another cache).
    const p = await pending(async (server, keys) => {
      for (const requests of [ids('other'), keys, keys]) {
        const id = await create(server, requests);
        await end(server, id);
        made.push(id);
      }
    }, location);
    const [foreign, first, second] = made as [string, string, string];
    const stuck = await p.run();
    expect(stuck.report.settled.size).toBe(N);
    // The two that carry its calls, in the order the provider lists them (newest first at Anthropic).
    const both = `(${first}, ${second}|${second}, ${first})`;
    expect(stuck.notes).toMatch(new RegExp(`its 4 call\\(s\\) stay pending; once you know which of ${both} is this create's \\(the provider's console shows each batch's requests\\), \`fusion batches adopt tok-earlier BATCH_ID\` \\(with this --cache\\) has the next run collect it, asking nothing again`));
    expect((await p.batches()).out).toMatch(/token tok-earlier\).*fusion batches adopt TOKEN BATCH_ID/);
    // A batch whose results do not name its calls is not adopted: the intent stays.
    const wrong = await p.batches('adopt', 'tok-earlier', foreign);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(new RegExp(`fusion: tok-earlier: not adopted: ${foreign} is not one of the batches whose results name its calls \\(${both}\\); nothing adopted\n`));
    expect((await p.batches()).out).toMatch(/token tok-earlier/);
    const adopted = await p.batches('adopt', 'tok-earlier', second);
    expect(adopted.code, adopted.err).toBe(0);
    expect(adopted.err).toBe(`fusion: tok-earlier: adopted batch ${second} (ended); the next --batch run collects its answers to the 4 call(s) of ${ANTHROPIC}, asking nothing again\n`);
    expect(adopted.out).toMatch(new RegExp(`${second}\\s+${ANTHROPIC}\\s+ended \\(open\\)\\s+4\\s`));
    expect(adopted.out).not.toMatch(/not confirmed/);
    const created = p.server.snapshot().batchesCreated;
    const next = await p.run();
    expect(next.report).toMatchObject({ batchesSubmitted: 0, batchesResumed: 1, succeeded: N });
    expect(next.report.settled.size).toBe(0);
    expect(p.server.snapshot().batchesCreated).toBe(created);
    expect(p.server.snapshot().requests).toBe(0);
    // Settled: the token is no longer on record, and a run after that asks nothing.
    expect((await p.batches('adopt', 'tok-earlier', second)).code).toBe(2);
    const after = await p.run();
    expect(after.report).toMatchObject({ batchesSubmitted: 0, batchesResumed: 0 });
    expect(p.server.snapshot().requests).toBe(0);
  });

  it('refused when the named batch\'s results name only some of the create\'s calls, and while a batch of its size still runs; a token not on record or a missing batch id is a usage error', async () => {
    const made: string[] = [];
    const p = await pending(async (server, keys) => {
      for (const requests of [[...keys.slice(0, 2), 'other-2', 'other-3'], keys]) {
        const id = await create(server, requests);
        await end(server, id);
        made.push(id);
      }
    });
    const [partial, whole] = made as [string, string];
    const some = await p.batches('adopt', 'tok-earlier', partial);
    expect(some.code).toBe(1);
    expect(some.err).toContain(`fusion: tok-earlier: not adopted: the results of ${partial} name 2 of its 4 call(s), so it is not this create's batch; nothing adopted\n`);
    const short = await p.batches('adopt', 'tok-earlier');
    expect(short.code).toBe(2);
    expect(short.err).toMatch(/adopt needs a token .* and the id of the batch that create made, got 1 argument\(s\)/);
    const typo = await p.batches('adopt', 'tok-typo', whole);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/no unconfirmed batch create tok-typo/);
    const late = await create(p.server, ids('late'));
    const running = await p.batches('adopt', 'tok-earlier', whole);
    expect(running.code).toBe(1);
    expect(running.err).toContain(`not adopted: batch(es) ${late} of its size still run at the provider: adopt one once they have ended`);
    expect((await p.batches()).out).toMatch(/token tok-earlier/);
    await end(p.server, late);
    expect((await p.batches('adopt', 'tok-earlier', whole)).code).toBe(0);
    expect((await p.run()).report).toMatchObject({ batchesSubmitted: 0, batchesResumed: 1, succeeded: N });
  });

  it('refused when no candidate\'s results name the calls (abandon settles that), and for another batch than the one the list tells by itself; that one is adopted', async () => {
    const foreign: string[] = [];
    const p = await pending(async (server) => {
      for (const prefix of ['other', 'third']) {
        foreign.push(await create(server, ids(prefix)));
        await end(server, foreign.at(-1)!);
      }
    });
    const none = await p.batches('adopt', 'tok-earlier', foreign[0]!);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/not adopted: the results of none of the candidate batches \(msgbatch_\d, msgbatch_\d\) name its calls, so none is this create's \(fusion batches abandon settles it\); nothing adopted/);
    // The create's batch shows up in a list of its own calls' batches only: the lookup tells it by itself.
    const q = await pending(async (server, keys) => {
      await end(server, await create(server, keys));
      await create(server, ids('other'));
    });
    const running = (await q.batches('adopt', 'tok-earlier', 'msgbatch_2')).err;
    expect(running).toMatch(/not adopted: batch\(es\) msgbatch_2 of its size still run/);
    await end(q.server, 'msgbatch_2');
    const other = await q.batches('adopt', 'tok-earlier', 'msgbatch_2');
    expect(other.code).toBe(1);
    expect(other.err).toContain("not adopted: the provider's list tells this create's batch by itself: msgbatch_1 (ended), which the next --batch run collects; nothing adopted");
    const itself = await q.batches('adopt', 'tok-earlier', 'msgbatch_1');
    expect(itself.code, itself.err).toBe(0);
    expect((await q.run()).report).toMatchObject({ batchesSubmitted: 0, batchesResumed: 1, succeeded: N });
  });
});
