import type { ZodType } from 'zod';
import type { KindPrompt } from '../prompts/kind-prompt.js';
import type { StreamFuser } from '../fuse/stream-fuser.js';
import type { EvalResult } from '../eval/eval-result.js';
import type { LeaderboardView } from '../eval/leaderboard-table.js';
import type { SavedStrategy } from '../fuse/strategy.js';
import type { Fitted } from '../validation/estimator.js';
import type { ModelCost, ReportData, ReportOptions } from '../report/index.js';
import type { Task, TaskItem } from '../task/schema.js';
import type { EvalFolderBase, FolderKind } from '../task/eval-folder.js';
import type { RawModelAnswer } from './raw-answer.js';
import type { KindStarter } from './starter.js';
import type { FusedLineBase } from './row-parts.js';

/**
 * One item's answers so far (every model of the run, in order; those not asked `skipped`) read
 * as the kind's policy reads them (a one-item answer matrix, a one-item rating matrix): what an
 * adaptive policy (AskingPolicy) decides its next wave on.
 */
export type ReadOne = (answers: readonly RawModelAnswer[]) => unknown;

/** An input item of any kind: an id and the kind's own fields. */
export type KindItem = TaskItem;

/**
 * What differs between task kinds in `fusion run` and `fuse()`: the schema of an input line, how an
 * item's answers are read into the answer matrix, how a batch of answered items becomes output
 * lines, and what "decided" means. Everything else (reading, asking, adaptive waves, ordering,
 * interrupts) is written once over this interface.
 */
export interface RunKind<I extends KindItem, L extends FusedLineBase> {
  readonly kind: string;
  /** Validates one input line. */
  readonly schema: ZodType<I>;
  /** The field of an output line, and of each of its answers, that holds the answer (`label`, `answer`, `score`): a table's column per model holds the answer's. */
  readonly answerField: string;
  /** The columns a table (CSV, TSV) gives the fused answer, between the input's columns and the models' (the first is `answerField`). */
  readonly tableColumns: readonly string[];
  /** Those columns' values for one line. Pure. */
  tableCells(line: L): Record<string, unknown>;
  /** The item a bare string stands for (`fuse(task, 'some text')`): the kind's data field set to it. */
  itemOf(text: string, id: string): unknown;
  /** How `item`'s answers so far are read for an adaptive policy, over the run's `models` (names, in order). */
  read(item: I, models: readonly string[]): ReadOne;
  /** One output line per item, in the order given, each answer in `models` order. Pure: no I/O. */
  fuse(items: readonly { item: I; answers: readonly RawModelAnswer[] }[], models: readonly string[], fuser: StreamFuser): L[];
  /** False when no model gave a readable answer (counted as undecided). */
  decided(line: L): boolean;
}

/** A run kind of any task kind. */
export type AnyRunKind = RunKind<KindItem, FusedLineBase>;

/**
 * A task kind as a plug-in: everything that differs between kinds, supplied by one folder
 * (src/kinds/<kind>/), found by `task.kind` in src/kinds/registry.ts. The generic paths (evaluate,
 * fit, run, fuse, the CLI, the report skeleton) call these members and never name a kind.
 * `T` is the kind's task, `F` its eval folder, `I` its run input item, `L` its output row, `R` its
 * fitted strategy as a saved file restores it.
 */
export interface TaskKind<T extends Task = Task, F extends EvalFolderBase<T> = EvalFolderBase<T>, I extends KindItem = KindItem, L extends FusedLineBase = FusedLineBase, R extends Fitted<never, unknown> = Fitted<never, unknown>>
  // How its eval folder is read: its item schema, its task's and items' checks, its folder's own fields (src/kinds/<kind>/folder.ts).
  extends FolderKind<T, F> {
  /** The `task.kind` value this plug-in serves. */
  readonly kind: T['kind'];
  /** How users call it in messages (`classification`, `QA`). */
  readonly title: string;
  /** How its items are shown to a model and what it is asked to reply (the renderer and request builder take it). */
  readonly prompt: KindPrompt<T>;
  /** Reading and fusing a stream of items (`fusion run`, `fuse()`). */
  run(task: T): RunKind<I, L>;
  /** The `fusion run --help` lines on this kind's input and output lines. */
  readonly runHelp: string;
  /** The `--strategy` help of `fusion run` and `fusion fuse` on this kind: its built-ins that need no fitting, and its default (indented to the options' text column). */
  readonly strategyHelp: string;
  /** True when a saved strategy gives models it was not fitted with a neutral weight (a run warns); false when it ignores them. */
  readonly unseenModelsWeighNeutral: boolean;
  /**
   * The flags of the shared commands this kind cannot honour (`--explain`, `--min-confidence`), each
   * with why: refused before any call (and by the library's matching option), never silently ignored.
   */
  readonly refusedFlags: Readonly<Partial<Record<KindFlag, string>>>;
  /** The default strategy of a run when none is named (one rule for the CLI and the library). */
  defaultStrategy(task: T): string;
  /** Names of the kind's strategies, for help and for refusing unknown names. */
  strategyNames(task: T): readonly string[];
  /** The strategies that need no gold and can run on this task's answers (`fusion fuse` scores them). */
  unsupervisedNames(task: T): readonly string[];
  /**
   * The fewest items `evaluate` can score the strategies `names` on in `folds` folds (cross-validation
   * splits items): `fusion eval --models` checks it before any model is asked.
   */
  itemsToScore(task: T, folds: number, names: readonly string[]): number;
  /** Why the strategy `name` (one of strategyNames) cannot run on this task's answers, or null: `fusion eval` asks it of the names given before any call. */
  refusal(task: T, name: string): string | null;
  /**
   * How many units the evaluation's folds split `items` into, the count itemsToScore is compared
   * with: the items themselves, or groups the kind never splits (rating: items sharing a text).
   */
  foldGroups(items: F['items']): number;
  /** The field (column) of folderItemSchema that holds the gold, named when a folder has none. */
  readonly goldField: string;
  /** How `fusion init` makes a starter folder of this kind from a labelled table. */
  readonly starter: KindStarter<T>;
  /** True when the folder has anything to score against (gold labels, answers or judgements). */
  hasGold(folder: F): boolean;
  /** How many of the folder's items have something to score against: what a fit learns from. */
  labelledItems(folder: F): number;

  /** Scores every model and strategy on a folder with gold (`fusion eval`), with what the reports need. */
  evaluate(folder: F, options: KindEvalOptions): Promise<KindEvaluation>;
  /**
   * The strategy `name` to fit on this kind (configured for the adaptive targets when given; a
   * StrategyError when the name is unknown or the targets do not apply to it).
   */
  strategyToFit(name: string, folder: F, targets: AdaptiveTargets | undefined): FitStrategy;
  /** Fits `strategy` on every labelled item of the folder and returns the saved document (`fusion fit`). */
  fitSaved(folder: F, strategy: FitStrategy, seed: number): { saved: SavedStrategy; state: unknown };
  /** The headline of one scored entry (`accuracy 0.812, macro-F1 0.790`), for `fusion fit`'s estimate. */
  headline(entry: KindEntry): string;
  /** How a table over many kinds' evaluations (bench/quality.ts) reads this kind's entries. */
  readonly quality?: KindQuality;
  /**
   * A saved document of this kind (its envelope validated, `saved.kind` this kind's) restored as its
   * fitted strategy, whatever task it will fuse (readSavedStrategy); InputError naming `file` when
   * its state is malformed or it was fitted on another kind.
   */
  restoreSaved(saved: SavedStrategy, file: string): R;
  /** A `fusion fit --out` file restored as a run's fuser; InputError naming `file` when it is malformed or does not fit `task`. */
  loadSaved(file: string, task: T): StreamFuser;
  /** A built-in strategy by name as a run's fuser (StrategyError when it must be fitted first or cannot run on `task`). */
  namedFuser(name: string, task: T, batchSize: number): StreamFuser;
}

/**
 * The one figure a kind is judged on, and its strategies in the roles a cross-kind table names
 * after the label strategies (`majority-vote`, `best-model`, `dawid-skene`, `auto`, `adaptive`).
 */
export interface KindQuality {
  /** The metric's name (`macro-F1`, `accuracy`, `Spearman`); higher is better. */
  readonly metric: string;
  /** That metric of one scored entry (a model or a strategy) of this kind's evaluation. */
  score(entry: KindEntry): number;
  /** The kind's own strategy in a role whose name it does not use (`majority-vote` -> `mean`); null where it has none by design. */
  readonly counterparts?: Readonly<Record<string, string | null>>;
}

/** `--max-loss` (a share), `--max-calls`, `--max-cost`: the adaptive policy's target. */
export interface AdaptiveTargets {
  maxLoss?: number;
  maxCalls?: number;
  maxCost?: number;
  /** `--text-checkpoint`: the label policy may decide an item from its text before any call (see AdaptiveOptions.textCheckpoint). */
  textCheckpoint?: boolean;
}

/** A strategy of some kind, ready to fit: the kind knows its estimator type, the generic path only its name. */
export interface FitStrategy {
  readonly name: string;
  readonly supervised: boolean;
}

/** One scored row (a model or a strategy) of an evaluation: the shared fields; the kind's metrics beside them. */
export interface KindEntry {
  name: string;
  /** Share of items with an answer. */
  coverage: number;
}

/** What `fusion eval` knows beside the evaluation, for the leaderboard's advice: each model's recorded calls and cost per item, and the folder (for the `fusion fit` command it names). */
export interface LeaderboardAdvice {
  costs: readonly ModelCost[];
  folder: string;
}

export interface KindEvalOptions {
  folds: number;
  seed: number;
  /** Strategies to run, by name or configured; all of the kind's by default. */
  strategies?: readonly (string | FitStrategy)[];
  onProgress?: (done: number, total: number, what: string) => void;
  /** Explain this many contested decisions per strategy. */
  explain?: number;
  /** Threads the cross-validation fits run on (1 = this thread only); FUSION_THREADS or every core by default. */
  threads?: number;
  /** Build the HTML/JSON report data too (costs per model from the folder's responses). */
  report?: { costs: ModelCost[] } & Pick<ReportOptions, 'itemTexts'>;
}

/** An evaluation as the CLI writes it: the JSON result, the report data (when asked) and the Markdown report. */
export interface KindEvaluation {
  /** The one result type: the shared core, and the kind's extras (`--json` writes them beside the core, evalResultJson). */
  result: EvalResult;
  /**
   * The terminal leaderboard, drawn by the shared table (src/eval/leaderboard-table.ts, drawLeaderboard):
   * the kind's rows, columns, title and footer. With `advice` (`fusion eval`) a kind may add what the
   * recorded costs tell (calls and cost per item, a recommendation).
   */
  leaderboard(advice?: LeaderboardAdvice): LeaderboardView;
  reportData?: ReportData;
  /**
   * A kind with its own page views: the page's data (--json's `report`) and the page, built on
   * first call (the terminal alone never pays for them); otherwise reportData on the shared views.
   */
  page?: { data(): object; html(): string };
  markdown(options: { explainStrategy?: string }): string;
}

/** Flags of `fusion eval` and `fusion run` that a kind may refuse (TaskKind.refusedFlags). */
export type KindFlag = '--explain' | '--min-confidence';

/** A plug-in of any kind, as the registry hands it out (methods are bivariant, so each kind's plug-in is one). */
export type AnyTaskKind = TaskKind<Task, EvalFolderBase, KindItem, FusedLineBase>;
