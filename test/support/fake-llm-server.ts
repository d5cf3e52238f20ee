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
  /** Share whose answer is generated (and billed), then cut half way through its body by a closed socket. */
  cutBody?: number;
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
  /**
   * Share (0..1) of repeated answers to one prompt (a model's later samples) that depart from its
   * first answer, hash-chosen per (model, prompt, n-th answer). Default 0: every sample the same.
   */
  resample?: number;
  faults?: FaultPlan;
  port?: number;
  /** Hostile servers: answer every call with this HTTP error (the message is the error body's text). */
  failAll?: { status: number; message: string | ((apiKey: string) => string) };
  /** Reports this many times the input tokens it counted (a provider whose tokenizer counts very differently). */
  usageScale?: number;
  /** Reports exactly this many input tokens for every answer, live or batch (hostile: -1e9, NaN as null...). */
  inputTokens?: number;
  /** Every call is answered HTTP 200 with the provider's error body (a gateway that wraps errors in a success status); billed as usual. */
  errorBody200?: boolean;
  /** Every answer stops at max_tokens: its text cut to its first two characters, finish_reason 'length' (Anthropic stop_reason 'max_tokens', Ollama done_reason 'length'). */
  maxTokensCut?: boolean;
  /** Bills each answer as usual but reports a usage of 0 input and 0 output tokens (a gateway that drops the counts), live or batch. */
  zeroUsage?: boolean;
  /** Replaces the answer's content: gets the model, the Authorization / x-api-key header the call carried and the last user message (the item as prompted); undefined keeps the usual label. */
  content?: (call: { model: string; apiKey: string; user: string }) => string | undefined;
  /** The OpenAI files/batches and Anthropic message-batches endpoints; false: absent (404), like most compatible servers. */
  batches?: false | BatchPlan;
}

/**
 * How the fake batch engines behave. A batch moves one status per poll (OpenAI: validating,
 * in_progress, finalizing, completed; Anthropic: in_progress, ended), so tests see statuses change
 * without waiting for a clock. Faults hit a hash-chosen share of requests on their first
 * submission only, so a retry succeeds; result lines come back in a shuffled order.
 */
export interface BatchPlan {
  /** Polls (retrieves) before a batch ends. Default 3. */
  pollsToFinish?: number;
  /** Share of requests answered with a server error (OpenAI 500 line, Anthropic api_error). */
  errorShare?: number;
  /** Share of requests that expire unprocessed. */
  expireShare?: number;
  /** Models whose batches fail validation with the provider's message. */
  rejectModels?: readonly string[];
  /** This many first OpenAI batches fail with `token_limit_exceeded` (the enqueued-token limit of the moment). */
  tokenLimitBatches?: number;
  /** false: a cancelled batch's unprocessed requests get no result line at all (only its counts say so). */
  cancelledLines?: false;
  /** The server's clock minus the client's, ms: batch creation times and every Date header (a client clock ahead of the provider's: negative). */
  clockSkewMs?: number;
  /** This many first batch creates (both APIs) are carried out, then the connection is dropped without the answer. */
  dropCreates?: number;
  /** This many first batch creates are carried out and never answered (the client hangs until killed). */
  hangCreates?: number;
  /** Each batch is left out of the first this many lists of its API's batches made after its create (a provider whose list lags behind its creates). */
  listLag?: number;
  /** Every answer's result line comes after an error line for the same custom_id (a provider reporting one request twice). */
  errorBeforeAnswer?: boolean;
  /** This many answered requests come back under a custom_id the batch does not carry (a provider that altered it): answered and billed, but not matchable. */
  foreignIds?: number;
  /** Garbage lines put among the result lines (before the first one). */
  garbageLines?: number;
  /** Results downloads are cut off (socket destroyed) after this many result lines. */
  cutResultsAfter?: number;
  /** The first result line is padded to at least this many bytes (a huge answer). */
  hugeLineBytes?: number;
}

interface FakeBatch {
  api: 'openai' | 'anthropic';
  id: string;
  model: string;
  /** [custom_id, request body] */
  requests: [string, Record<string, unknown>][];
  polls: number;
  cancelled: boolean;
  /** Epoch ms. */
  createdAt: number;
  metadata?: Record<string, string>;
  rejected?: string;
  rejectCode?: string;
  /** Result lines once ended (OpenAI: output and error files; Anthropic: results). */
  output?: string[];
  errors?: string[];
  counts: { succeeded: number; errored: number; expired: number };
  /** Lists still to leave it out of (`listLag`). */
  unlisted: number;
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
  /** Batches created (both APIs). */
  batchesCreated: number;
  /** Requests received inside batches. */
  batchRequests: number;
  /**
   * Tokens the server generated, per model (at list price, live and batch alike): every answer it
   * sent, and every live answer it finished for a client that had hung up (a timeout), which a real
   * provider completes and bills all the same.
   */
  billed: Record<string, { input: number; output: number }>;
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

function emptyStats(): FakeServerStats {
  return { requests: 0, successes: 0, faults: 0, maxInFlight: 0, duplicateSuccesses: 0, perModel: {}, batchesCreated: 0, batchRequests: 0, billed: {} };
}

/** The label the fake model `model` gives to an item whose prompt ends with user message `item`. */
export function fakeLabel(labels: readonly string[], model: string, item: string, disagreement = 0.2): string {
  const K = labels.length;
  const truth = hash32(`truth\u0000${item}`) % K;
  if (unit(`disagree\u0000${model}\u0000${item}`) >= disagreement) return labels[truth] as string;
  const shift = 1 + (hash32(`shift\u0000${model}\u0000${item}`) % (K - 1));
  return labels[(truth + shift) % K] as string;
}

type Fault = 'rate-limit' | 'server' | 'drop' | 'malformed' | 'cut' | 'slow' | undefined;

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
  private stats: FakeServerStats = emptyStats();
  private readonly files = new Map<string, string>();
  private readonly batchesById = new Map<string, FakeBatch>();
  private tokenLimited = 0;
  private createsAnswered = 0;
  /** Per `model \u0000 prompt`: how many times it came inside a batch. */
  private readonly batchSubmissions = new Map<string, number>();
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
    return { ...this.stats, perModel: { ...this.stats.perModel }, billed: structuredClone(this.stats.billed), keys: this.counts.size, inFlight: this.inFlight };
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
    this.stats = emptyStats();
    this.batchSubmissions.clear();
  }

  /** How many times each (model, prompt) key was submitted inside a batch. */
  batchSubmissionCounts(): ReadonlyMap<string, number> {
    return this.batchSubmissions;
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
      ['cut', f.cutBody],
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
    const path = url.split('?')[0] ?? '';
    if (path.startsWith('/v1/files') || path.startsWith('/v1/batches') || path.startsWith('/v1/messages/batches')) {
      if (this.options.batches === false) return this.json(res, 404, { error: { message: `no route ${req.method} ${path}` } });
      return this.handleBatchRoute(req, path, Buffer.concat(chunks), res);
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
      if (fault === 'cut') {
        // The answer was generated (and goes on the bill); the connection breaks while it is sent.
        this.stats.faults++;
        const text = JSON.stringify(this.succeed(call, count, apiKey));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        return;
      }
      if (fault && fault !== 'slow') {
        this.stats.faults++;
        return this.fail(api, fault, res);
      }
      // The client gave up (timeout): not an answer it received, but one the server generated and bills.
      if (res.destroyed || req.socket.destroyed) return void this.bill(call.model, this.inputTokensOf(call));
      const body = this.succeed(call, count, apiKey);
      if (this.options.errorBody200) {
        const message = 'The server had an error while processing your request';
        return this.json(res, 200, api === 'anthropic' ? { type: 'error', error: { type: 'api_error', message } } : { error: { message, type: 'server_error', code: null } });
      }
      this.json(res, 200, body);
    } finally {
      release();
    }
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    const skew = (this.options.batches || {}).clockSkewMs;
    const date = skew === undefined ? {} : { date: new Date(Date.now() + skew).toUTCString() };
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...date, ...headers });
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

  /** Counts a success for `call` and returns the body a live call answers with (batches answer the same). */
  private succeed(call: ChatCall, count: KeyCount, apiKey = ''): Record<string, unknown> {
    const user = [...call.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    let label = fakeLabel(this.options.labels, call.model, user, this.options.disagreement);
    count.successes++;
    const n = count.successes;
    if (n > 1 && unit(`resample\u0000${call.model}\u0000${user}\u0000${n}`) < (this.options.resample ?? 0)) {
      const others = this.options.labels.filter((l) => l !== label);
      label = others[hash32(`resampled\u0000${call.model}\u0000${user}\u0000${n}`) % others.length] as string;
    }
    if (count.successes > 1) this.stats.duplicateSuccesses++;
    this.stats.successes++;
    this.stats.perModel[call.model] = (this.stats.perModel[call.model] ?? 0) + 1;
    const content = this.options.content?.({ model: call.model, apiKey, user });
    const inputTokens = this.inputTokensOf(call);
    this.bill(call.model, inputTokens);
    const text = content ?? label;
    const body = this.answerBody(call, this.options.maxTokensCut ? text.slice(0, 2) : text, inputTokens, content !== undefined || this.options.maxTokensCut === true);
    if (this.options.maxTokensCut) {
      const choice = (body.choices as Record<string, unknown>[] | undefined)?.[0];
      if (choice) choice.finish_reason = 'length';
      else if (call.api === 'anthropic') body.stop_reason = 'max_tokens';
      else body.done_reason = 'length';
    }
    if (this.options.zeroUsage && call.api !== 'ollama') body.usage = call.api === 'anthropic' ? { input_tokens: 0, output_tokens: 0 } : { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    return body;
  }

  /** The input tokens the server reports (and bills) for a call. */
  private inputTokensOf(call: ChatCall): number {
    const prompt = call.messages.map((m) => m.content).join('\n');
    return this.options.inputTokens ?? Math.ceil((prompt.length / 4) * (this.options.usageScale ?? 1));
  }

  /** One answer generated: its tokens (one output token, as every answer reports) go on the model's bill. */
  private bill(model: string, input: number): void {
    const b = (this.stats.billed[model] ??= { input: 0, output: 0 });
    b.input += input;
    b.output += 1;
  }

  private answerBody(call: ChatCall, label: string, inputTokens: number, verbatim = false): Record<string, unknown> {
    const text = call.jsonKey && !verbatim ? JSON.stringify({ [call.jsonKey]: label }) : label;
    const others = this.options.labels.filter((l) => l !== label);
    const top = [{ token: label, logprob: -0.05 }, ...others.map((l, i) => ({ token: l, logprob: -3 - i }))].slice(0, Math.max(1, call.topLogprobs));
    const logprobs = [{ token: label, logprob: -0.05, top_logprobs: top }];
    if (call.api === 'openai') {
      return {
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
      };
    } else if (call.api === 'anthropic') {
      return {
        id: `msg_${hash32(text + inputTokens)}`,
        type: 'message',
        role: 'assistant',
        model: call.model,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      };
    } else {
      return {
        model: call.model,
        created_at: '2026-01-01T00:00:00Z',
        message: { role: 'assistant', content: text },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: inputTokens,
        eval_count: 1,
        ...(call.logprobs ? { logprobs } : {}),
      };
    }
  }

  private handleBatchRoute(req: IncomingMessage, path: string, body: Buffer, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const parts = path.split('/').filter((p) => p !== '');
    // OpenAI: POST /v1/files, GET /v1/files/:id/content, POST|GET /v1/batches, GET /v1/batches/:id, POST /v1/batches/:id/cancel
    if (parts[1] === 'files') {
      if (method === 'POST' && parts.length === 2) {
        const content = multipartFile(req.headers['content-type'] ?? '', body);
        if (content === undefined) return this.json(res, 400, { error: { message: 'no file in the upload' } });
        const id = `file-${this.files.size + 1}`;
        this.files.set(id, content);
        return this.json(res, 200, { id, object: 'file', bytes: Buffer.byteLength(content), created_at: 1_700_000_000, filename: 'batch.jsonl', purpose: 'batch', status: 'processed' });
      }
      const content = this.files.get(parts[2] ?? '');
      if (method === 'GET' && parts[3] === 'content' && content !== undefined) {
        if ((parts[2] ?? '').startsWith('file-out-') || (parts[2] ?? '').startsWith('file-err-')) return this.sendResults(res, content.split('\n').filter((l) => l !== ''));
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return void res.end(content);
      }
      return this.json(res, 404, { error: { message: `no file ${parts[2]}` } });
    }
    const anthropic = parts[1] === 'messages';
    const rest = anthropic ? parts.slice(3) : parts.slice(2);
    if (method === 'GET' && rest.length === 0) {
      // Newest first, as both providers list them.
      const listed = [...this.batchesById.values()].filter((b) => (b.api === 'anthropic') === anthropic);
      const shown = listed.filter((b) => b.unlisted === 0);
      for (const b of listed) b.unlisted = Math.max(0, b.unlisted - 1);
      const data = shown.reverse().map((b) => this.batchView(b));
      return this.json(res, 200, anthropic ? { data, has_more: false, first_id: null, last_id: null } : { object: 'list', data, has_more: false });
    }
    if (method === 'POST' && rest.length === 0) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return this.json(res, 400, { error: { message: 'request body is not JSON' } });
      }
      return anthropic ? this.createAnthropicBatch(parsed, res) : this.createOpenAIBatch(parsed, res);
    }
    const batch = this.batchesById.get(rest[0] ?? '');
    if (!batch || (batch.api === 'anthropic') !== anthropic) return this.json(res, 404, { error: { message: `no batch ${rest[0]}` } });
    if (method === 'GET' && rest.length === 1) {
      if (!batch.cancelled) batch.polls++;
      if (this.ended(batch)) this.process(batch);
      return this.json(res, 200, this.batchView(batch));
    }
    if (method === 'POST' && rest[1] === 'cancel') {
      if (!this.ended(batch)) batch.cancelled = true;
      return this.json(res, 200, this.batchView(batch));
    }
    if (method === 'GET' && rest[1] === 'results' && anthropic && batch.output) return this.sendResults(res, batch.output);
    return this.json(res, 404, { error: { message: `no route ${method} ${path}` } });
  }

  /** A results file as the plan shapes it: garbage lines first, a huge first line, a download cut short. */
  private sendResults(res: ServerResponse, lines: readonly string[]): void {
    const plan = this.options.batches || {};
    const out = [...Array.from({ length: plan.garbageLines ?? 0 }, (_, i) => `{"garbage": ${i}, not json`), ...lines];
    const first = plan.garbageLines ?? 0;
    if (plan.hugeLineBytes !== undefined && out[first] !== undefined) {
      const line = out[first] as string;
      // Padding inside the JSON object, after the custom_id (which both providers put first or early).
      out[first] = `${line.slice(0, -1)}, "padding": "${'x'.repeat(Math.max(0, plan.hugeLineBytes - line.length))}"}`;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (plan.cutResultsAfter !== undefined) {
      res.write(`${out.slice(0, first + plan.cutResultsAfter).join('\n')}\n${(out[first + plan.cutResultsAfter] ?? '').slice(0, 20)}`);
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(`${out.join('\n')}\n`);
  }

  /** Answers a batch create, or, as the plan says, carries it out and drops or never sends the answer. */
  private answerCreate(res: ServerResponse, batch: FakeBatch): void {
    const plan = this.options.batches || {};
    const n = ++this.createsAnswered;
    if (n <= (plan.dropCreates ?? 0)) return void res.socket?.destroy();
    if (n <= (plan.dropCreates ?? 0) + (plan.hangCreates ?? 0)) return;
    this.json(res, 200, this.batchView(batch));
  }

  private register(api: FakeBatch['api'], model: string, requests: FakeBatch['requests'], metadata?: Record<string, string>): FakeBatch {
    const batch: FakeBatch = {
      api,
      id: `${api === 'openai' ? 'batch' : 'msgbatch'}_${this.batchesById.size + 1}`,
      model,
      requests,
      polls: 0,
      cancelled: false,
      createdAt: Date.now() + ((this.options.batches || {}).clockSkewMs ?? 0),
      ...(metadata ? { metadata } : {}),
      counts: { succeeded: 0, errored: 0, expired: 0 },
      unlisted: (this.options.batches || {}).listLag ?? 0,
    };
    this.batchesById.set(batch.id, batch);
    this.stats.batchesCreated++;
    this.stats.batchRequests += requests.length;
    return batch;
  }

  private createOpenAIBatch(body: Record<string, unknown>, res: ServerResponse): void {
    const content = this.files.get(String(body.input_file_id));
    if (content === undefined) return this.json(res, 400, { error: { message: `no file ${String(body.input_file_id)}` } });
    if (body.endpoint !== '/v1/chat/completions' || body.completion_window !== '24h') return this.json(res, 400, { error: { message: 'unsupported endpoint or window' } });
    const requests: FakeBatch['requests'] = content
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const line = JSON.parse(l) as { custom_id: string; body: Record<string, unknown> };
        return [line.custom_id, line.body];
      });
    const models = new Set(requests.map(([, b]) => String(b.model)));
    const model = [...models][0] ?? '';
    const metadata = body.metadata && typeof body.metadata === 'object' ? (body.metadata as Record<string, string>) : undefined;
    const batch = this.register('openai', model, requests, metadata);
    const plan = this.options.batches || {};
    if (models.size > 1) batch.rejected = 'A batch input file may only contain requests for one model';
    else if ((plan.tokenLimitBatches ?? 0) > this.tokenLimited) {
      this.tokenLimited++;
      batch.rejected = `Enqueued token limit reached for ${model} in organization org-test. Please try again once some in_progress batches have been completed.`;
      batch.rejectCode = 'token_limit_exceeded';
    }
    else if (plan.rejectModels?.includes(model)) batch.rejected = `The model '${model}' does not exist or you do not have access to it.`;
    this.answerCreate(res, batch);
  }

  private createAnthropicBatch(body: Record<string, unknown>, res: ServerResponse): void {
    const raw = Array.isArray(body.requests) ? (body.requests as { custom_id: string; params: Record<string, unknown> }[]) : [];
    const requests: FakeBatch['requests'] = raw.map((r) => [r.custom_id, r.params]);
    const rejected = requests.find(([, p]) => (this.options.batches || {}).rejectModels?.includes(String(p.model)));
    if (rejected) {
      return this.json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: `requests.0.params.model: model '${String(rejected[1].model)}' not found` } });
    }
    const batch = this.register('anthropic', String(requests[0]?.[1].model ?? ''), requests);
    this.answerCreate(res, batch);
  }

  private ended(batch: FakeBatch): boolean {
    return batch.cancelled || batch.rejected !== undefined || batch.polls >= ((this.options.batches || {}).pollsToFinish ?? 3);
  }

  /** Runs every request of an ended batch once (faults on a key's first submission), results shuffled. */
  private process(batch: FakeBatch): void {
    if (batch.output || batch.rejected !== undefined) return;
    const plan = this.options.batches || {};
    const output: [string, string][] = [];
    const errors: [string, string][] = [];
    let foreign = 0;
    for (const [customId, body] of batch.requests) {
      const call = parseCall(batch.api, body);
      const prompt = call.messages.map((m) => m.content).join('\n');
      const key = `${call.model}\u0000${prompt}`;
      const submissions = (this.batchSubmissions.get(key) ?? 0) + 1;
      this.batchSubmissions.set(key, submissions);
      const u = unit(`batchfault\u0000${key}`);
      const fault = batch.cancelled ? 'cancelled' : submissions > 1 ? undefined : u < (plan.errorShare ?? 0) ? 'error' : u < (plan.errorShare ?? 0) + (plan.expireShare ?? 0) ? 'expired' : undefined;
      let line: unknown;
      if (fault === undefined) {
        const count = this.counts.get(key) ?? { attempts: 0, successes: 0 };
        this.counts.set(key, count);
        count.attempts++;
        const answer = this.succeed(call, count);
        batch.counts.succeeded++;
        const lineId = foreign++ < (plan.foreignIds ?? 0) ? `${customId}-x` : customId;
        line = batch.api === 'openai'
          ? { id: `batch_req_${hash32(customId)}`, custom_id: lineId, response: { status_code: 200, request_id: `req_${hash32(key)}`, body: answer }, error: null }
          : { custom_id: lineId, result: { type: 'succeeded', message: answer } };
        if (plan.errorBeforeAnswer) {
          const error = batch.api === 'openai'
            ? { id: `batch_req_${hash32(customId)}`, custom_id: customId, response: { status_code: 500, request_id: 'req_x', body: { error: { message: 'The server had an error processing your request', type: 'server_error', code: null } } }, error: null }
            : { custom_id: customId, result: { type: 'errored', error: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } } };
          output.push([customId, JSON.stringify(error)]);
        }
        output.push([customId, JSON.stringify(line)]);
        continue;
      }
      if (fault === 'error') batch.counts.errored++;
      else batch.counts.expired++;
      if (fault === 'cancelled' && plan.cancelledLines === false) continue;
      if (batch.api === 'openai') {
        line = fault === 'error'
          ? { id: `batch_req_${hash32(customId)}`, custom_id: customId, response: { status_code: 500, request_id: 'req_x', body: { error: { message: 'The server had an error processing your request', type: 'server_error', code: null } } }, error: null }
          : { id: `batch_req_${hash32(customId)}`, custom_id: customId, response: null, error: { code: fault === 'expired' ? 'batch_expired' : 'batch_cancelled', message: fault === 'expired' ? 'This request could not be executed before the completion window expired.' : 'This request was cancelled.' } };
        errors.push([customId, JSON.stringify(line)]);
      } else {
        line = { custom_id: customId, result: fault === 'error' ? { type: 'errored', error: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } } : { type: fault === 'expired' ? 'expired' : 'canceled' } };
        output.push([customId, JSON.stringify(line)]);
      }
    }
    const shuffle = (lines: [string, string][]): string[] => lines.sort(([a], [b]) => hash32(`order\u0000${a}`) - hash32(`order\u0000${b}`)).map(([, l]) => l);
    batch.output = shuffle(output);
    batch.errors = shuffle(errors);
    if (batch.api === 'openai') {
      if (batch.output.length > 0) this.files.set(`file-out-${batch.id}`, `${batch.output.join('\n')}\n`);
      if (batch.errors.length > 0) this.files.set(`file-err-${batch.id}`, `${batch.errors.join('\n')}\n`);
    }
  }

  private batchView(batch: FakeBatch): Record<string, unknown> {
    const ended = this.ended(batch);
    const total = batch.requests.length;
    const c = batch.counts;
    if (batch.api === 'anthropic') {
      return {
        id: batch.id,
        type: 'message_batch',
        processing_status: ended ? 'ended' : batch.cancelled ? 'canceling' : 'in_progress',
        request_counts: ended && batch.output
          ? { processing: 0, succeeded: c.succeeded, errored: c.errored, canceled: batch.cancelled ? total : 0, expired: c.expired }
          : { processing: total, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
        ended_at: ended ? new Date(batch.createdAt).toISOString() : null,
        created_at: new Date(batch.createdAt).toISOString(),
        expires_at: '2026-01-02T00:00:00Z',
        archived_at: null,
        cancel_initiated_at: batch.cancelled ? '2026-01-01T00:00:00Z' : null,
        results_url: ended && batch.output ? `${this.url}/v1/messages/batches/${batch.id}/results` : null,
      };
    }
    const polls = batch.polls;
    const finish = (this.options.batches || {}).pollsToFinish ?? 3;
    const status = batch.rejected !== undefined && polls > 0 ? 'failed' : batch.cancelled ? 'cancelled' : ended ? 'completed' : polls === 0 ? 'validating' : polls < finish - 1 ? 'in_progress' : 'finalizing';
    return {
      id: batch.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      input_file_id: 'file-in',
      completion_window: '24h',
      created_at: Math.floor(batch.createdAt / 1000),
      metadata: batch.metadata ?? null,
      status,
      ...(status === 'failed' ? { errors: { object: 'list', data: [{ code: batch.rejectCode ?? 'invalid_request', message: batch.rejected, line: batch.rejectCode ? null : 1 }] } } : {}),
      ...(batch.output && batch.output.length > 0 ? { output_file_id: `file-out-${batch.id}` } : {}),
      ...(batch.errors && batch.errors.length > 0 ? { error_file_id: `file-err-${batch.id}` } : {}),
      request_counts: { total, completed: ended ? c.succeeded : 0, failed: ended ? c.errored + c.expired : 0 },
    };
  }
}

/** The file part of a multipart/form-data upload, as text. */
function multipartFile(contentType: string, body: Buffer): string | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return undefined;
  for (const part of body.toString('utf8').split(`--${b}`)) {
    if (!/name="file"/.test(part)) continue;
    const start = part.indexOf('\r\n\r\n');
    if (start < 0) return undefined;
    return part.slice(start + 4).replace(/\r\n$/, '');
  }
  return undefined;
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
