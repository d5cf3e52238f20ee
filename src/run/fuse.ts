import { openStore } from '../orchestrate/cache.js';
import { type RequestOptions, createRequestBuilder } from '../orchestrate/default-request.js';
import { type ModelHandle, Orchestrator, type OrchestratorOptions } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import type { EnvSource } from '../providers/env.js';
import type { ProviderOverrides } from '../providers/registry.js';
import { StrategyError } from '../fuse/strategy.js';
import { InputError, zodIssues } from '../task/errors.js';
import type { Choice, ClassificationItem, QaItem, QaTask, Task, TaskItem } from '../task/schema.js';
import { askAdaptively } from './ask-adaptively.js';
import { type RawModelAnswer, askItem } from './ask-item.js';
import { type FusedLine, classificationKind } from '../kinds/classification/rows.js';
import type { FusedLineBase } from '../kinds/row-parts.js';
import { type QaFusedLine, qaKind } from '../kinds/qa/rows.js';
import type { RunKind } from '../kinds/task-kind.js';
import { handlesOfPolicy, resolveModels, SAMPLE_TEMPERATURE, samplesOfOrder, withSamples } from './models.js';
import { type StreamFuser, chooseStrategy } from './strategy-choice.js';
import { sharedOrchestrator } from './shared-orchestrator.js';

/** How the models are reached and asked: shared by fuse() and fuseQuestion(). */
export interface AskOptions {
  /** Spec strings (`openai:gpt-4o-mini`, ...) or ready model handles. */
  models: readonly (string | ModelHandle)[];
  /** Share limits, budget and cache across many calls (see createFusion); otherwise the process's shared one (concurrency 8, the `.fusion/cache.sqlite` cache), or one made for this call when `orchestration` or `cachePath` is given. */
  orchestrator?: Orchestrator;
  /** Without `orchestrator`: options for the one made here (concurrency, budget, retries...). */
  orchestration?: Omit<OrchestratorOptions, 'cache'>;
  /** Without `orchestrator`: a response store to read and write (a SQLite file path or a postgres:// URL). */
  cachePath?: string;
  buildRequest?: RequestBuilder;
  request?: RequestOptions;
  env?: EnvSource;
  overrides?: ProviderOverrides;
  /**
   * Answers to ask of each model (self-consistency, at temperature SAMPLE_TEMPERATURE when above 1),
   * each its own call. Default 1, or the samples per model a saved adaptive policy was fitted with.
   */
  samples?: number;
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

/**
 * Asks the models about one item (all of them, or under a saved adaptive policy only those it asks
 * for, wave by wave) through an orchestrator made for the call unless one is given, and fuses the
 * answers into the item's output line: fuse() and fuseQuestion() alike.
 */
async function fuseOne<I extends TaskItem, L extends FusedLineBase>(task: Task, kind: RunKind<I, L>, item: I, fuser: StreamFuser, options: AskOptions): Promise<L> {
  const samples = options.samples ?? samplesOfOrder(fuser.policy?.order);
  const all = withSamples(resolveModels(options.models, options.env ?? process.env, options.overrides ?? {}), samples);
  // Under a policy, only the calls it was fitted for (see handlesOfPolicy).
  const handles = fuser.policy ? handlesOfPolicy(all, fuser.policy.order).handles : all;
  const names = handles.map((h) => h.name);
  const buildRequest = options.buildRequest ?? createRequestBuilder(task, { ...(samples > 1 ? { temperature: SAMPLE_TEMPERATURE } : {}), ...options.request });
  // Own settings for this call (options or a cache path): an orchestrator of its own; none: the process's shared one.
  const own = !options.orchestrator && (options.orchestration !== undefined || options.cachePath !== undefined);
  const cache = own && options.cachePath !== undefined ? openStore(options.cachePath) : undefined;
  const orchestrator = options.orchestrator ?? (own ? new Orchestrator({ ...options.orchestration, ...(cache ? { cache } : {}) }) : sharedOrchestrator());
  const { policy } = fuser;
  let answers: RawModelAnswer[];
  try {
    answers = policy
      ? await askAdaptively(orchestrator, task, item, handles, buildRequest, policy, kind.read(item, names))
      : await askItem(orchestrator, task, item, handles, buildRequest);
  } finally {
    await cache?.close();
  }
  return kind.fuse([{ item, answers }], names, fuser)[0] as L;
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
  return fuseOne(task, classificationKind(task), { id, text }, fuser, options);
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
  const kind = qaKind(qaTask);
  const parsed = kind.schema.safeParse(raw);
  if (!parsed.success) throw new InputError(zodIssues('question', undefined, parsed.error));
  return fuseOne(task, kind, parsed.data, fuser, options);
}
