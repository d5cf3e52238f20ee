import type { KindPrompt } from '../../prompts/kind-prompt.js';
import { createPromptRenderer, type RenderOptions } from '../../prompts/render.js';
import type { RecordedResponse, Task, TaskItem } from '../../task/schema.js';
import { KNOWN_PROVIDERS } from '../model-spec.js';
import type { ChatMessage, GenerateRequest, GenerateResult, LanguageModel } from '../provider.js';
import { ProviderError } from '../provider.js';

/** Finds which item a request is about; undefined when it matches none. */
export type ItemResolver = (request: GenerateRequest) => string | undefined;

export interface ReplayModelOptions {
  /** The model's name in responses.jsonl. */
  recordedName: string;
  /** All recorded responses; only this model's are used. */
  responses: readonly RecordedResponse[];
  itemFor: ItemResolver;
  /**
   * How the model presents itself. Default: a recorded `provider:model` name (as live runs record)
   * is split so modelName() gives the recorded name back; any other name is `replay:<name>`.
   */
  provider?: string;
  modelId?: string;
}

function messagesKey(messages: readonly ChatMessage[]): string {
  return JSON.stringify(messages.map((m) => [m.role, m.content]));
}

/**
 * Maps the exact prompt the task's template renders for each item back to the item's id, so a
 * replayed model answers the same calls a live one would get. A request rendered with another
 * template, format or task matches nothing. `prompt` is the task's kind's prompt part
 * (`kindOf(task).prompt`; src/run/replay.ts looks it up for `llm-fusion/providers`).
 */
export function promptResolver<T extends Task>(task: T, prompt: KindPrompt<T, never>, items: readonly TaskItem[], options: RenderOptions = {}): ItemResolver {
  const byPrompt = new Map<string, string>();
  const render = createPromptRenderer(task, prompt, options);
  for (const item of items) {
    const key = messagesKey(render(item));
    if (!byPrompt.has(key)) byPrompt.set(key, item.id);
  }
  return (request) => byPrompt.get(messagesKey(request.messages));
}

/**
 * A LanguageModel that answers from recorded responses: for tests, dry runs and replaying a
 * recorded live run through the same pipeline. Repeated calls for one item walk through its
 * samples in order (wrapping around), so sampling several answers per item replays too.
 */
export class ReplayModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  readonly supportsLogprobs: boolean;
  readonly #byItem = new Map<string, RecordedResponse[]>();
  readonly #served = new Map<string, number>();
  readonly #itemFor: ItemResolver;

  constructor(options: ReplayModelOptions) {
    const colon = options.recordedName.indexOf(':');
    const recordedProvider = colon > 0 ? options.recordedName.slice(0, colon) : undefined;
    const knownProvider = recordedProvider !== undefined && (KNOWN_PROVIDERS as readonly string[]).includes(recordedProvider);
    this.provider = options.provider ?? (knownProvider ? recordedProvider : 'replay');
    this.modelId = options.modelId ?? (knownProvider ? options.recordedName.slice(colon + 1) : options.recordedName);
    this.#itemFor = options.itemFor;
    this.recordedName = options.recordedName;
    let logprobs = false;
    for (const r of options.responses) {
      if (r.model !== options.recordedName) continue;
      const list = this.#byItem.get(r.item) ?? [];
      list.push(r);
      this.#byItem.set(r.item, list);
      if (r.logprobs && r.logprobs.length > 0) logprobs = true;
    }
    for (const list of this.#byItem.values()) list.sort((a, b) => (a.sample ?? 0) - (b.sample ?? 0));
    this.supportsLogprobs = logprobs;
  }

  /** Items this model has at least one recorded answer for. */
  readonly recordedName: string;

  get items(): ReadonlySet<string> {
    return new Set(this.#byItem.keys());
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const details = { provider: this.provider, model: this.modelId };
    if (request.signal?.aborted) throw new ProviderError('aborted', `${this.provider}:${this.modelId}: request aborted`, details);
    const item = this.#itemFor(request);
    if (item === undefined) {
      throw new ProviderError('bad-request', `${this.provider}:${this.modelId}: the prompt matches no recorded item`, details);
    }
    const answers = this.#byItem.get(item);
    if (!answers || answers.length === 0) {
      throw new ProviderError('not-found', `${this.provider}:${this.modelId}: no recorded answer for item ${item}`, details);
    }
    const n = this.#served.get(item) ?? 0;
    this.#served.set(item, n + 1);
    const r = answers[n % answers.length]!;
    return {
      text: r.output,
      ...(r.logprobs ? { logprobs: r.logprobs } : {}),
      ...(r.tokens ? { usage: { input: r.tokens.input, output: r.tokens.output } } : {}),
      finishReason: 'replay',
    };
  }
}
