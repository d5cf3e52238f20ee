import { createClassificationNormalizer } from '../normalize/classification.js';
import { ResponseCache } from '../orchestrate/cache.js';
import { type RequestOptions, createRequestBuilder } from '../orchestrate/default-request.js';
import { type ModelHandle, Orchestrator, type OrchestratorOptions } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import type { EnvSource } from '../providers/env.js';
import type { ProviderOverrides } from '../providers/registry.js';
import { StrategyError } from '../fuse/strategy.js';
import { InputError, zodIssues } from '../task/errors.js';
import type { Choice, QaTask, Task } from '../task/schema.js';
import { askAdaptively, readClassificationItem, readQaQuestion } from './ask-adaptively.js';
import { type RawModelAnswer, askItem } from './ask-item.js';
import { type FusedLine, fuseItems } from './fuse-items.js';
import { type QaFusedLine, fuseQaItems } from './fuse-qa-items.js';
import { qaQuestionSchema } from './qa-question.js';
import { resolveModels } from './models.js';
import { type StreamFuser, chooseStrategy } from './strategy-choice.js';

/** How the models are reached and asked: shared by fuse() and fuseQuestion(). */
export interface AskOptions {
  /** Spec strings (`openai:gpt-4o-mini`, ...) or ready model handles. */
  models: readonly (string | ModelHandle)[];
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

export interface FuseOptions extends AskOptions {
  /** Saved strategy file, built-in unsupervised strategy name, or a prepared fuser. Default majority-vote. */
  strategy?: string | StreamFuser;
}

export interface FuseQuestionOptions extends AskOptions {
  /**
   * Saved QA strategy file (from `fusion fit` on a QA folder), built-in name (majority-vote,
   * central), or a prepared fuser. Default: majority-vote, or central for free-form answers.
   */
  strategy?: string | StreamFuser;
}

/** Asks every model about one item through an orchestrator made for the call unless one is given. */
async function askOnce(
  task: Task,
  item: Parameters<typeof askItem>[2],
  options: AskOptions,
  ask: (orchestrator: Orchestrator, handles: ReturnType<typeof resolveModels>, buildRequest: RequestBuilder) => Promise<RawModelAnswer[]> = (o, h, b) => askItem(o, task, item, h, b),
): Promise<{ names: string[]; answers: RawModelAnswer[] }> {
  const handles = resolveModels(options.models, options.env ?? process.env, options.overrides ?? {});
  const buildRequest = options.buildRequest ?? createRequestBuilder(task, options.request ?? {});
  const cache = options.orchestrator || options.cachePath === undefined ? undefined : new ResponseCache(options.cachePath);
  const orchestrator = options.orchestrator ?? new Orchestrator({ ...options.orchestration, ...(cache ? { cache } : {}) });
  try {
    return { names: handles.map((h) => h.name), answers: await ask(orchestrator, handles, buildRequest) };
  } finally {
    cache?.close();
  }
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
  if (task.kind !== 'classification') throw new StrategyError('fuse() classifies: the task must be a classification task (fuseQuestion() answers QA tasks)');
  const fuser = typeof options.strategy === 'object' ? options.strategy : chooseStrategy(options.strategy, task);
  const id = options.id ?? 'item';
  const normalize = createClassificationNormalizer(task);
  const { policy } = fuser;
  // A saved adaptive policy asks only the models it needs, wave by wave.
  const ask = policy ? (o: Orchestrator, h: ReturnType<typeof resolveModels>, b: RequestBuilder) => askAdaptively(o, task, { id, text }, h, b, policy, readClassificationItem(task, { id, text }, h.map((m) => m.name), normalize)) : undefined;
  const { names, answers } = await askOnce(task, { id, text }, options, ask);
  const [line] = fuseItems(task, names, [{ id, text, answers }], normalize, fuser);
  return line as FusedLine;
}

/**
 * Asks every model one question and fuses their answers: the library form of `fusion run` on a QA
 * task. Returns the fused answer, its cluster of equivalent answers, its support, every cluster's
 * share and each model's answer.
 *
 *   const r = await fuseQuestion(task, { question: 'Capital of France?' }, { models: ['openai:gpt-4o-mini', 'ollama:llama3.1'] });
 *   r.answer; r.cluster; r.support; r.answers;
 *
 * Throws InputError when the question does not fit the task (e.g. a multiple-choice task without choices).
 */
export async function fuseQuestion(
  task: Task,
  question: string | { question: string; choices?: readonly Choice[] },
  options: FuseQuestionOptions,
): Promise<QaFusedLine> {
  if (task.kind !== 'qa') throw new StrategyError('fuseQuestion() answers questions: the task must be a QA task (fuse() classifies)');
  const qaTask: QaTask = task;
  const fuser = typeof options.strategy === 'object' ? options.strategy : chooseStrategy(options.strategy, qaTask, 1);
  const id = options.id ?? 'item';
  const raw = typeof question === 'string' ? { id, question } : { id, question: question.question, ...(question.choices ? { choices: [...question.choices] } : {}) };
  const parsed = qaQuestionSchema(qaTask).safeParse(raw);
  if (!parsed.success) throw new InputError(zodIssues('question', undefined, parsed.error));
  const { policy } = fuser;
  const item = parsed.data;
  // A saved adaptive policy asks only the models it needs, wave by wave.
  const ask = policy ? (o: Orchestrator, h: ReturnType<typeof resolveModels>, b: RequestBuilder) => askAdaptively(o, task, item, h, b, policy, readQaQuestion(qaTask, item, h.map((m) => m.name))) : undefined;
  const { answers } = await askOnce(task, item, options, ask);
  const [line] = fuseQaItems(qaTask, [{ item, answers }], fuser);
  return line as QaFusedLine;
}
