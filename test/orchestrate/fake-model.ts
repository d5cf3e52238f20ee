import { type GenerateRequest, type GenerateResult, type LanguageModel, ProviderError } from '../../src/providers/provider.js';

/** Per-call behaviour of a scripted fake model: an answer, an error, or a delay before either. */
export type FakeStep = { text: string; delayMs?: number; usage?: { input: number; output: number } } | { error: ProviderError; delayMs?: number };

/**
 * An in-memory LanguageModel: answers from `answer(request, n)` (n = 1-based call number for this
 * prompt), records every request and the peak number of concurrent calls.
 */
export class FakeModel implements LanguageModel {
  readonly supportsLogprobs = false;
  readonly requests: GenerateRequest[] = [];
  readonly perPrompt = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly provider: string,
    readonly modelId: string,
    private readonly answer: (request: GenerateRequest, n: number) => FakeStep = () => ({ text: 'yes' }),
  ) {}

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.requests.push(request);
    const prompt = request.messages.map((m) => m.content).join('\n');
    const n = (this.perPrompt.get(prompt) ?? 0) + 1;
    this.perPrompt.set(prompt, n);
    const step = this.answer(request, n);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (step.delayMs) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, step.delayMs);
          request.signal?.addEventListener('abort', () => {
            clearTimeout(t);
            reject(new ProviderError('aborted', 'aborted'));
          });
        });
      }
      if ('error' in step) throw step.error;
      return { text: step.text, usage: step.usage ?? { input: 100, output: 10 }, finishReason: 'stop' };
    } finally {
      this.inFlight--;
    }
  }
}

export function userRequest(text: string, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  return { messages: [{ role: 'user', content: text }], temperature: 0, ...extra };
}
