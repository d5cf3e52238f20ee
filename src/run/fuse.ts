import { createClassificationNormalizer } from '../normalize/classification.js';
import { ResponseCache } from '../orchestrate/cache.js';
import { type RequestOptions, createRequestBuilder } from '../orchestrate/default-request.js';
import { type ModelHandle, Orchestrator, type OrchestratorOptions } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import type { EnvSource } from '../providers/env.js';
import type { ProviderOverrides } from '../providers/registry.js';
import { StrategyError } from '../fuse/strategy.js';
import type { Task } from '../task/schema.js';
import { askItem } from './ask-item.js';
import { type FusedLine, fuseItems } from './fuse-items.js';
import { resolveModels } from './models.js';
import { type StreamFuser, chooseStrategy } from './strategy-choice.js';

export interface FuseOptions {
  /** Spec strings (`openai:gpt-4o-mini`, ...) or ready model handles. */
  models: readonly (string | ModelHandle)[];
  /** Saved strategy file, built-in unsupervised strategy name, or a prepared fuser. Default majority-vote. */
  strategy?: string | StreamFuser;
  /** Share limits, budget and cache across many calls; otherwise one is made for this call. */
  orchestrator?: Orchestrator;
  /** Without `orchestrator`: options for the one made here (concurrency, budget, retries...). */
  orchestration?: Omit<OrchestratorOptions, 'cache'>;
  /** Without `orchestrator`: a SQLite response cache to read and write. */
  cachePath?: string;
  buildRequest?: RequestBuilder;
  request?: RequestOptions;
  env?: EnvSource;
  overrides?: ProviderOverrides;
  /** Id shown in the result. Default `item`. */
  id?: string;
}

/**
 * Asks every model to classify one text and fuses their answers: the library form of `fusion run`.
 *
 *   const r = await fuse(task, 'I loved it', { models: ['openai:gpt-4o-mini', 'ollama:llama3.1'] });
 *   r.label; r.distribution; r.answers;
 *
 * Strategies that learn from many items (Dawid-Skene) see only this one item here, so they reduce to
 * a vote; for them use `fusion run` on a stream, or a strategy fitted with `fusion fit`.
 */
export async function fuse(task: Task, text: string, options: FuseOptions): Promise<FusedLine> {
  if (task.kind !== 'classification') throw new StrategyError('fuse() classifies: the task must be a classification task');
  const handles = resolveModels(options.models, options.env ?? process.env, options.overrides ?? {});
  const fuser = typeof options.strategy === 'object' ? options.strategy : chooseStrategy(options.strategy, task);
  const buildRequest = options.buildRequest ?? createRequestBuilder(task, options.request ?? {});
  const cache = options.orchestrator || options.cachePath === undefined ? undefined : new ResponseCache(options.cachePath);
  const orchestrator = options.orchestrator ?? new Orchestrator({ ...options.orchestration, ...(cache ? { cache } : {}) });
  try {
    const id = options.id ?? 'item';
    const answers = await askItem(orchestrator, task, { id, text }, handles, buildRequest);
    const [line] = fuseItems(task, handles.map((h) => h.name), [{ id, answers }], createClassificationNormalizer(task), fuser);
    return line as FusedLine;
  } finally {
    cache?.close();
  }
}
