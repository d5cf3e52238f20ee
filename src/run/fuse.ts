import { openStore } from '../orchestrate/cache.js';
import { type RequestOptions, createRequestBuilder } from '../orchestrate/default-request.js';
import { type ModelHandle, Orchestrator, type OrchestratorOptions } from '../orchestrate/orchestrator.js';
import type { RequestBuilder } from '../orchestrate/request-builder.js';
import type { EnvSource } from '../providers/env.js';
import type { ProviderOverrides } from '../providers/registry.js';
import { InputError, zodIssues } from '../task/errors.js';
import { type Choice, type ClassificationTask, isQaTask, type QaTask, type RatingTask, type Task, type TaskItem } from '../task/schema.js';
import type { RatingFusedLine } from '../kinds/rating/rows.js';
import { StrategyError } from '../fuse/strategy.js';
import { askAdaptively } from './ask-adaptively.js';
import { fuseAsAsked } from './fuse-as-asked.js';
import { type RawModelAnswer, askItem } from './ask-item.js';
import type { FusedLine } from '../kinds/classification/rows.js';
import { kindOf } from '../kinds/registry.js';
import type { FusedLineBase } from '../kinds/row-parts.js';
import type { QaFusedLine } from '../kinds/qa/rows.js';
import type { RunKind } from '../kinds/task-kind.js';
import { libraryModels } from './library-models.js';
import { handlesOfPolicy, SAMPLE_TEMPERATURE, samplesOfOrder, withSamples } from './models.js';
import { type StreamFuser, chooseStrategy } from './strategy-choice.js';
import { sharedOrchestrator } from './shared-orchestrator.js';

/** A fused output line of any task kind: narrow it on the task's kind (`label`, `answer` or `score`). */
export type AnyFusedLine = FusedLine | QaFusedLine | RatingFusedLine;

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
  /**
   * Which live model each name a saved strategy was fitted with stands for, as `--model-map`:
   * `{ 'gpt-4o-mini-2024-07-18': 'openai:gpt-4o-mini-2024-07-18' }`, or `'-'` to leave one out.
   * Unmapped names match a model of `models` by exact name, then by the model part of
   * `provider:model`; a fitted model left unmatched is an UnmatchedModelsError naming it.
   */
  modelMap?: Readonly<Record<string, string>>;
}

export interface FuseOptions extends AskOptions {
  /**
   * A saved strategy file (`fusion fit --out`, or fit()'s `saved` written by writeSavedStrategy), a
   * built-in unsupervised strategy name, or a prepared fuser. Default: the task kind's default strategy.
   */
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
  const { names, answers } = await askAll(task, [item], fuser, options, kind);
  return fuseAsAsked([{ item, answers: answers[0] as RawModelAnswer[] }], fuser, (some, f) => kind.fuse(some, names, f))[0] as L;
}

/** Asks the models about each item through one orchestrator (a policy: only the calls it asks for, with `kind` reading its answers). */
async function askAll<I extends TaskItem>(task: Task, items: readonly I[], fuser: StreamFuser, options: AskOptions, kind?: RunKind<I, FusedLineBase>): Promise<{ names: string[]; answers: RawModelAnswer[][] }> {
  const samples = options.samples ?? samplesOfOrder(fuser.policy?.order);
  const all = withSamples(libraryModels(fuser, options.models, options.modelMap, options.env ?? process.env, options.overrides ?? {}), samples);
  // Under a policy, only the calls it was fitted for (see handlesOfPolicy).
  const handles = fuser.policy ? handlesOfPolicy(all, fuser.policy.order).handles : all;
  const names = handles.map((h) => h.name);
  const buildRequest = options.buildRequest ?? createRequestBuilder(task, kindOf(task).prompt, { ...(samples > 1 ? { temperature: SAMPLE_TEMPERATURE } : {}), ...options.request });
  // Own settings for this call (options or a cache path): an orchestrator of its own; none: the process's shared one.
  const own = !options.orchestrator && (options.orchestration !== undefined || options.cachePath !== undefined);
  const cache = own && options.cachePath !== undefined ? openStore(options.cachePath) : undefined;
  const orchestrator = options.orchestrator ?? (own ? new Orchestrator({ ...options.orchestration, ...(cache ? { cache } : {}) }) : sharedOrchestrator());
  const { policy } = fuser;
  try {
    // Under a budget, a model without a price is refused before any call, as the CLI refuses it.
    const unpriced = orchestrator.checkModels(handles);
    if (unpriced.length > 0) throw new InputError(unpriced.map((message) => ({ file: 'fuse', field: 'models', message })));
    const answers = await Promise.all(
      items.map((item) => (policy && kind ? askAdaptively(orchestrator, task, item, handles, buildRequest, policy, kind.read(item, names)) : askItem(orchestrator, task, item, handles, buildRequest))),
    );
    return { names, answers };
  } finally {
    await cache?.close();
  }
}

/** One item of any kind: a bare string (the kind's data field: a text, a question) or the item's fields. */
export type ItemInput = string | ({ id?: string } & Record<string, unknown>);

function parsedItem<I extends TaskItem>(kind: RunKind<I, FusedLineBase>, input: ItemInput, id: string): I {
  const raw = typeof input === 'string' ? kind.itemOf(input, id) : { ...input, id: input.id ?? id };
  const parsed = kind.schema.safeParse(raw);
  if (!parsed.success) throw new InputError(zodIssues('item', undefined, parsed.error));
  return parsed.data;
}

function fuserOf(task: Task, strategy: string | StreamFuser | undefined, batchSize?: number): StreamFuser {
  return typeof strategy === 'object' ? strategy : chooseStrategy(strategy, task, batchSize);
}

/**
 * Asks every model about one item and fuses their answers, for every task kind (the task's plug-in
 * reads and fuses): the library form of `fusion run` on one line. A string is the item's text (a
 * classification text, a QA question); an object gives its fields (`{question, choices}`).
 *
 *   const r = await fuse(task, 'I loved it', { models: ['openai:gpt-4o-mini', 'ollama:llama3.1'] });
 *   r.label; r.distribution; r.answers;            // classification
 *   r.answer; r.cluster; r.support; r.answers;     // QA
 *
 * Strategies that learn from many items (Dawid-Skene) see only this one item here, so they reduce to
 * a vote; for them use fuseMany(), `fusion run` on a stream, or a strategy fitted with `fusion fit`.
 * Throws InputError when the item does not fit the task (e.g. a multiple-choice question without choices).
 */
export async function fuse(task: ClassificationTask, item: ItemInput, options: FuseOptions): Promise<FusedLine>;
export async function fuse(task: QaTask, item: ItemInput, options: FuseOptions): Promise<QaFusedLine>;
export async function fuse(task: RatingTask, item: ItemInput, options: FuseOptions): Promise<RatingFusedLine>;
export async function fuse(task: Task, item: ItemInput, options: FuseOptions): Promise<AnyFusedLine>;
export async function fuse(task: Task, item: ItemInput, options: FuseOptions): Promise<FusedLineBase> {
  const kind = kindOf(task).run(task);
  const one = parsedItem(kind, typeof item === 'string' || options.id === undefined ? item : { ...item, id: options.id }, options.id ?? 'item');
  return fuseOne(task, kind, one, fuserOf(task, options.strategy, 1), options);
}

/** The QA form of fuse(), kept for callers of llm-fusion 0.2: the same call. */
export async function fuseQuestion(task: Task, question: string | { question: string; choices?: readonly Choice[] }, options: FuseQuestionOptions): Promise<QaFusedLine> {
  if (!isQaTask(task)) throw new StrategyError('fuseQuestion() answers questions: the task must be a QA task (fuse() takes a task of any kind)');
  return fuse(task, typeof question === 'string' ? question : { question: question.question, ...(question.choices ? { choices: [...question.choices] } : {}) }, options);
}

/**
 * Asks every model about each item and fuses them together in one batch, for every task kind:
 * strategies that learn from the answers themselves (Dawid-Skene) see every item. Items get ids
 * `item-0`, `item-1`, ... unless they carry one. Output in input order.
 */
export async function fuseMany(task: ClassificationTask, items: readonly ItemInput[], options: Omit<FuseOptions, 'id'>): Promise<FusedLine[]>;
export async function fuseMany(task: QaTask, items: readonly ItemInput[], options: Omit<FuseOptions, 'id'>): Promise<QaFusedLine[]>;
export async function fuseMany(task: RatingTask, items: readonly ItemInput[], options: Omit<FuseOptions, 'id'>): Promise<RatingFusedLine[]>;
export async function fuseMany(task: Task, items: readonly ItemInput[], options: Omit<FuseOptions, 'id'>): Promise<AnyFusedLine[]>;
export async function fuseMany(task: Task, items: readonly ItemInput[], options: Omit<FuseOptions, 'id'>): Promise<FusedLineBase[]> {
  const kind = kindOf(task).run(task);
  const parsed = items.map((it, i) => parsedItem(kind, it, `item-${i}`));
  const fuser = fuserOf(task, options.strategy, Math.max(1, parsed.length));
  if (fuser.policy) return Promise.all(parsed.map((it) => fuseOne(task, kind, it, fuser, options)));
  const { names, answers } = await askAll(task, parsed, fuser, options);
  return kind.fuse(parsed.map((item, i) => ({ item, answers: answers[i] as RawModelAnswer[] })), names, fuser);
}
