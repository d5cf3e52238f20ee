/**
 * Why the sources through tsx are not what users run: tsx's esbuild transform keeps function names,
 * so each named function or arrow made at run time is also given its name with
 * `Object.defineProperty(fn, 'name', ...)` (esbuild's `__name`), which the tsc build in dist/ does
 * not do. This counts those calls per model call on the SDK path (OpenAI, Anthropic and Ollama SDKs
 * against the fake server, SQLite, record mode), by wrapping Object.defineProperty before the
 * library is loaded. Node's bundled undici names some of its own functions the same way, in both.
 * A count, so the machine's load does not change it.
 *
 *   npx tsx bench/function-names.ts [--from dist|src] [--items 300]
 */
let named = 0;
const define = Object.defineProperty;
Object.defineProperty = function (target: object, key: PropertyKey, descriptor: PropertyDescriptor) {
  if (key === 'name' && typeof target === 'function') named++;
  return define(target, key, descriptor);
} as typeof Object.defineProperty;

const { mkdtempSync, rmSync } = await import('node:fs');
const { join } = await import('node:path');
const { tmpdir } = await import('node:os');
const lib = await import('./library.js');
const { flag, startFakeServer } = await import('./sdk-bench-setup.js');

const ITEMS = Number(flag('items', '300'));
const fake = await startFakeServer(['positive', 'negative'], 5, ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'ollama:llama3.1']);
const dir = mkdtempSync(join(tmpdir(), 'function-names-'));

/** Calls to Object.defineProperty(fn, 'name') per call over a record run of `n` items x 3 models. */
async function namedPerCall(n: number, tag: string): Promise<number> {
  const store = new lib.SqliteStore(join(dir, `${tag}.sqlite`));
  const orchestrator = new lib.Orchestrator({ concurrency: 64, cache: store });
  const items = Array.from({ length: n }, (_, i) => ({ id: `${tag}${i}`, text: `item ${i}` }));
  const before = named;
  await lib.recordResponses({ task: fake.task, items, models: fake.models, orchestrator, buildRequest: fake.buildRequest, responsesPath: join(dir, `${tag}.jsonl`) });
  await store.close();
  return (named - before) / (n * fake.models.length);
}

try {
  // The first run also names the functions made once per process (module-level, first use).
  await namedPerCall(50, 'warm');
  console.log(`library from ${lib.LIBRARY_FROM}/: Object.defineProperty(fn, 'name') per call, SDK path: ${(await namedPerCall(ITEMS, 'measured')).toFixed(2)}`);
} finally {
  fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
