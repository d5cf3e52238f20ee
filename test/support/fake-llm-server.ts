/**
 * A small OpenAI-, Anthropic- and Ollama-compatible server for tests and benchmarks, on 127.0.0.1
 * only. Answers are deterministic functions of the prompt: each item (the last user message) has a
 * "true" label from a hash of its text, and each model disagrees with it on a fixed, hash-chosen
 * share of items, so models agree and disagree reproducibly. Faults (429 with retry-after, 5xx,
 * slow answers, dropped connections, malformed JSON) hit a hash-chosen share of prompts on their
 * first attempt(s) only, so every call eventually succeeds and the number of successes per
 * (model, prompt) is the measure of "no call made twice".
 *
 * Also runnable as a child process (`tsx test/support/fake-llm-server.ts --labels a,b --latency 50`),
 * printing `{"port": N}` on stdout; GET /_stats returns the counters as JSON, POST /_reset clears them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export interface FaultPlan {
  /** Share (0..1) of prompts answered 429 with retry-after on their faulty attempts. */
  rateLimit?: number;
  /** retry-after-ms sent with 429s (also as retry-after in seconds, rounded up). Default 20. */
  retryAfterMs?: number;
  /** Share answered 500/503. */
  serverError?: number;
  /** Share whose connection is destroyed without an answer. */
  drop?: number;
  /** Share answered with a body that is not JSON. */
  malformed?: number;
  /** Share answered only after `slowMs` (to trigger client timeouts). */
  slow?: number;
  slowMs?: number;
  /** How many first attempts of a faulty prompt fail. Default 1. */
  failAttempts?: number;
}

export interface FakeLlmServerOptions {
  labels: readonly string[];
  /** Fixed delay before every answer, ms. Default 0. */
  latencyMs?: number;
  /** Share (0..1) of items on which a model departs from the item's true label. Default 0.2. */
  disagreement?: number;
  faults?: FaultPlan;
  port?: number;
  /** Hostile servers: answer every call with this HTTP error (the message is the error body's text). */
  failAll?: { status: number; message: string | ((apiKey: string) => string) };
  /** Reports this many times the input tokens it counted (a provider whose tokenizer counts very differently). */
  usageScale?: number;
  /** Replaces the answer's content: gets the model and the Authorization / x-api-key header the call carried. */
  content?: (call: { model: string; apiKey: string }) => string;
}

export interface KeyCount {
  attempts: number;
  successes: number;
}

export interface FakeServerStats {
  requests: number;
  successes: number;
  faults: number;
  maxInFlight: number;
  /** Keys (`model \u0000 prompt`) answered successfully more than once. */
  duplicateSuccesses: number;
  /** Successful answers per model. */
  perModel: Record<string, number>;
}

/** FNV-1a with a murmur3 finalizer (so near-identical prompts spread over the whole range): stable across runs. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const unit = (text: string): number => hash32(text) / 2 ** 32;

/** The label the fake model `model` gives to an item whose prompt ends with user message `item`. */
export function fakeLabel(labels: readonly string[], model: string, item: string, disagreement = 0.2): string {
  const K = labels.length;
  const truth = hash32(`truth\u0000${item}`) % K;
  if (unit(`disagree\u0000${model}\u0000${item}`) >= disagreement) return labels[truth] as string;
  const shift = 1 + (hash32(`shift\u0000${model}\u0000${item}`) % (K - 1));
  return labels[(truth + shift) % K] as string;
}

type Fault = 'rate-limit' | 'server' | 'drop' | 'malformed' | 'slow' | undefined;

interface ChatCall {
  api: 'openai' | 'anthropic' | 'ollama';
  model: string;
  messages: { role: string; content: string }[];
  logprobs: boolean;
  topLogprobs: number;
  /** Property to answer under when JSON output was requested. */
  jsonKey?: string;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (c && typeof c === 'object' && 'text' in c ? String(c.text) : '')).join('');
  return '';
}

function jsonKeyOf(schema: unknown): string {
  if (schema && typeof schema === 'object' && 'properties' in schema && schema.properties && typeof schema.properties === 'object') {
    const props = schema.properties as Record<string, { enum?: unknown }>;
    const withEnum = Object.keys(props).find((k) => Array.isArray(props[k]?.enum));
    return withEnum ?? Object.keys(props)[0] ?? 'label';
  }
  return 'label';
}

function parseCall(api: ChatCall['api'], body: Record<string, unknown>): ChatCall {
  const rawMessages = Array.isArray(body.messages) ? (body.messages as { role?: unknown; content?: unknown }[]) : [];
  const messages = rawMessages.map((m) => ({ role: String(m.role), content: textOf(m.content) }));
  if (api === 'anthropic' && body.system !== undefined) messages.unshift({ role: 'system', content: textOf(body.system) });
  const call: ChatCall = { api, model: String(body.model), messages, logprobs: false, topLogprobs: 0 };
  if (api === 'openai') {
    call.logprobs = body.logprobs === true;
    call.topLogprobs = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
    const rf = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
    if (rf?.type === 'json_schema') call.jsonKey = jsonKeyOf(rf.json_schema?.schema);
    else if (rf?.type === 'json_object') call.jsonKey = 'label';
  } else if (api === 'ollama') {
    call.logprobs = body.logprobs === true;
    call.topLogprobs = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
    if (body.format === 'json') call.jsonKey = 'label';
    else if (body.format && typeof body.format === 'object') call.jsonKey = jsonKeyOf(body.format);
  }
  return call;
}

export class FakeLlmServer {
  private server: Server | undefined;
  private readonly counts = new Map<string, KeyCount>();
  private inFlight = 0;
  private stats: FakeServerStats = { requests: 0, successes: 0, faults: 0, maxInFlight: 0, duplicateSuccesses: 0, perModel: {} };
  private readonly sockets = new Set<import('node:net').Socket>();
  port = 0;

  constructor(public options: FakeLlmServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Environment that points the real SDKs at this server. */
  env(): Record<string, string> {
    return {
      OPENAI_API_KEY: 'test-key-openai',
      OPENAI_BASE_URL: `${this.url}/v1`,
      ANTHROPIC_API_KEY: 'test-key-anthropic',
      ANTHROPIC_BASE_URL: this.url,
      OLLAMA_HOST: this.url,
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Counters, requests being answered now, and the number of (model, prompt) keys seen. */
  snapshot(): FakeServerStats & { keys: number; inFlight: number } {
    return { ...this.stats, perModel: { ...this.stats.perModel }, keys: this.counts.size, inFlight: this.inFlight };
  }

  /** Attempts and successes for one (model, prompt) key, where prompt is all message contents joined by newlines. */
  countFor(model: string, prompt: string): KeyCount | undefined {
    return this.counts.get(`${model}\u0000${prompt}`);
  }

  /** Every key's counts. */
  allCounts(): ReadonlyMap<string, KeyCount> {
    return this.counts;
  }

  reset(): void {
    this.counts.clear();
    this.stats = { requests: 0, successes: 0, faults: 0, maxInFlight: 0, duplicateSuccesses: 0, perModel: {} };
  }

  private faultFor(key: string, attempt: number): Fault {
    const f = this.options.faults;
    if (!f || attempt > (f.failAttempts ?? 1)) return undefined;
    let u = unit(`fault\u0000${key}`);
    const plan: [Fault, number | undefined][] = [
      ['rate-limit', f.rateLimit],
      ['server', f.serverError],
      ['drop', f.drop],
      ['malformed', f.malformed],
      ['slow', f.slow],
    ];
    for (const [fault, share] of plan) {
      if (share === undefined) continue;
      if (u < share) return fault;
      u -= share;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Plain data events: an async iterator over the request costs the benchmark's server more CPU than the answer.
    const chunks = await new Promise<Buffer[] | undefined>((resolve) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => resolve(parts));
      req.on('error', () => resolve(undefined));
    });
    if (!chunks) return; // the client went away while sending
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/_stats') return this.json(res, 200, this.snapshot());
    if (req.method === 'POST' && url === '/_reset') {
      this.reset();
      return this.json(res, 200, { ok: true });
    }
    const api = url.endsWith('/chat/completions') ? 'openai' : url.endsWith('/v1/messages') ? 'anthropic' : url === '/api/chat' ? 'ollama' : undefined;
    if (req.method !== 'POST' || !api) return this.json(res, 404, { error: { message: `no route ${req.method} ${url}` } });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.json(res, 400, { error: { message: 'request body is not JSON' } });
    }
    const call = parseCall(api, body);
    const apiKey = String(req.headers['x-api-key'] ?? req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const prompt = call.messages.map((m) => m.content).join('\n');
    const key = `${call.model}\u0000${prompt}`;
    const count = this.counts.get(key) ?? { attempts: 0, successes: 0 };
    this.counts.set(key, count);
    count.attempts++;
    this.stats.requests++;
    this.inFlight++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
    // A request stops counting as in flight when answered or when the client hangs up (timeout),
    // whichever comes first: the client may then legitimately use the freed slot.
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.inFlight--;
    };
    res.once('close', release);
    try {
      const fault = this.faultFor(key, count.attempts);
      const latency = (this.options.latencyMs ?? 0) + (fault === 'slow' ? (this.options.faults?.slowMs ?? 5000) : 0);
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      if (this.options.failAll) {
        this.stats.faults++;
        const { status } = this.options.failAll;
        const m = this.options.failAll.message;
        const message = typeof m === 'function' ? m(apiKey) : m;
        return this.json(res, status, api === 'anthropic' ? { type: 'error', error: { type: 'error', message } } : api === 'openai' ? { error: { message, type: 'error', code: null } } : { error: message });
      }
      if (fault && fault !== 'slow') {
        this.stats.faults++;
        return this.fail(api, fault, res);
      }
      if (res.destroyed || req.socket.destroyed) return; // the client gave up (timeout): not an answer it received
      const user = [...call.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      const label = fakeLabel(this.options.labels, call.model, user, this.options.disagreement);
      count.successes++;
      if (count.successes > 1) this.stats.duplicateSuccesses++;
      this.stats.successes++;
      this.stats.perModel[call.model] = (this.stats.perModel[call.model] ?? 0) + 1;
      const content = this.options.content?.({ model: call.model, apiKey });
      this.answer(call, content ?? label, Math.ceil((prompt.length / 4) * (this.options.usageScale ?? 1)), res, content !== undefined);
    } finally {
      release();
    }
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private fail(api: ChatCall['api'], fault: Exclude<Fault, undefined | 'slow'>, res: ServerResponse): void {
    if (fault === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-broken", "choices": [');
      return;
    }
    const status = fault === 'rate-limit' ? 429 : 503;
    const message = fault === 'rate-limit' ? 'Rate limit reached, slow down' : 'The server is overloaded';
    const ms = this.options.faults?.retryAfterMs ?? 20;
    const headers: Record<string, string> = fault === 'rate-limit' ? { 'retry-after-ms': String(ms), 'retry-after': String(Math.ceil(ms / 1000)) } : {};
    if (api === 'openai') this.json(res, status, { error: { message, type: fault === 'rate-limit' ? 'rate_limit_error' : 'server_error', code: null } }, headers);
    else if (api === 'anthropic') this.json(res, status === 503 ? 529 : status, { type: 'error', error: { type: fault === 'rate-limit' ? 'rate_limit_error' : 'overloaded_error', message } }, headers);
    else this.json(res, status, { error: message }, headers);
  }

  private answer(call: ChatCall, label: string, inputTokens: number, res: ServerResponse, verbatim = false): void {
    const text = call.jsonKey && !verbatim ? JSON.stringify({ [call.jsonKey]: label }) : label;
    const others = this.options.labels.filter((l) => l !== label);
    const top = [{ token: label, logprob: -0.05 }, ...others.map((l, i) => ({ token: l, logprob: -3 - i }))].slice(0, Math.max(1, call.topLogprobs));
    const logprobs = [{ token: label, logprob: -0.05, top_logprobs: top }];
    if (call.api === 'openai') {
      this.json(res, 200, {
        id: `chatcmpl-${hash32(text + inputTokens)}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: call.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null },
            finish_reason: 'stop',
            logprobs: call.logprobs ? { content: logprobs.map((t) => ({ ...t, bytes: null, top_logprobs: t.top_logprobs.map((a) => ({ ...a, bytes: null })) })) } : null,
          },
        ],
        usage: { prompt_tokens: inputTokens, completion_tokens: 1, total_tokens: inputTokens + 1 },
      });
    } else if (call.api === 'anthropic') {
      this.json(res, 200, {
        id: `msg_${hash32(text + inputTokens)}`,
        type: 'message',
        role: 'assistant',
        model: call.model,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      });
    } else {
      this.json(res, 200, {
        model: call.model,
        created_at: '2026-01-01T00:00:00Z',
        message: { role: 'assistant', content: text },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: inputTokens,
        eval_count: 1,
        ...(call.logprobs ? { logprobs } : {}),
      });
    }
  }
}

export async function startFakeLlmServer(options: FakeLlmServerOptions): Promise<FakeLlmServer> {
  return new FakeLlmServer(options).start();
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

// As a child process: serve until stdin closes or a signal arrives, so it never outlives its parent.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const server = await startFakeLlmServer({
    labels: (argValue(args, 'labels') ?? 'positive,negative,neutral').split(','),
    latencyMs: Number(argValue(args, 'latency') ?? 0),
    disagreement: Number(argValue(args, 'disagreement') ?? 0.2),
  });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
