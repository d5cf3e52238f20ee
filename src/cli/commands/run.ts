import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequestBuilder } from '../../orchestrate/default-request.js';
import { ORCHESTRATION_ARGS, RunSession, orchestrationHelp, readOrchestrationArgs } from '../../orchestrate/session.js';
import type { EnvSource } from '../../providers/env.js';
import { resolveModels, splitModelList } from '../../run/models.js';
import { runPipeline } from '../../run/pipeline.js';
import { runQaPipeline } from '../../run/qa-pipeline.js';
import { chooseQaStrategy } from '../../run/qa-strategy-choice.js';
import { DEFAULT_BATCH_SIZE, chooseStrategy } from '../../run/strategy-choice.js';
import { loadTaskFile } from '../../task/load-folder.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';

export const runHelp = `Usage: fusion run --task task.json --models m1,m2,... [options] < items.jsonl > out.jsonl

Asks every model about every item of a JSONL stream and writes one JSON line per input line, in
input order, in bounded memory. A bad input line is reported on stderr as stdin:LINE: ... and gets
an {"line", "error"} output line (with its "id" when one could be read).

Classification task: items {"id", "text"}; output
  {"id", "label", "distribution": {label: p}, "answers": [{"model", "output", "label", "abstain"?}], "cost"}
QA task ("kind": "qa"): questions {"id", "question", "choices"?: [{"label", "text"}]} ("answers" is
ignored; multiple-choice tasks need choices); output
  {"id", "answer", "choice"? (multiple choice: {"label", "text"} or null), "shortAnswer"?,
   "cluster": {"index", "answer", "key", "share", "models", "representative"} or null, "support",
   "distribution": [{"answer", "key", "share", "models"}],
   "answers": [{"model", "output", "answer", "cluster"?, "abstain"?}], "cost"}
  "answer" is the winning cluster's representative answer (a choice letter, a number as stated, a
  span or sentence); "key" is the canonical form its members share; "share" is the share of the
  answering models in a cluster; "representative" is the model whose answer "answer" is; "support"
  is the strategy's support for the winner; each model's "cluster" indexes "distribution".

Options:
  --task FILE        the task (classification labels or QA answer type, instructions, optional prompt template)
  --models LIST      comma-separated provider:model specs, e.g. openai:gpt-4o-mini,ollama:llama3.1
                     (default: the models a saved --strategy was fitted on)
  --strategy S       a saved strategy file from "fusion fit" on a folder of the same kind, or an
                     unsupervised built-in. Classification: majority-vote (default), soft-vote,
                     soft-vote-log (item by item), or dawid-skene, dawid-skene-one-coin (refitted on
                     each batch of --batch items). QA: majority-vote over answer clusters (default
                     for multiple-choice and numeric), central (the answer most supported by the
                     others; default for free-form), or dawid-skene (refitted on each batch; on
                     the recorded multiple-choice and numeric sets it beat the vote, BENCHMARKS.md)
  --min-confidence P classification: no label (abstain "no-consensus") when the fused winner's
                     probability is below P (pick P from the risk-coverage table of fusion eval)
  --max-calls-per-item N  never ask more than N models about an item: a saved adaptive policy
                     (fusion fit --strategy adaptive) stops there, any other strategy asks the first
                     N models of --models. A saved adaptive policy asks the models in its order,
                     one wave at a time, and only until its rule settles the item; each output line
                     then has "asked" (models asked) and "stopped" (settled, confident, all-asked,
                     max-calls)
  --batch N          items per batch for batch strategies (default ${DEFAULT_BATCH_SIZE})
  --window N         items held in memory at most (default max(64, 4 x concurrency, 2 x batch))
  --json-answers     ask for JSON answers with a schema instead of a bare label or answer
${orchestrationHelp}
Exit status: 0 done; 1 some input lines were bad; 3 stopped by --max-cost; 130 interrupted.
`;

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** `fusion run`: the streaming pipeline. `io.env` replaces process.env (tests). */
export async function runCommand(argv: string[], io: CliIo & { env?: EnvSource }): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      task: { type: 'string' },
      models: { type: 'string' },
      strategy: { type: 'string' },
      batch: { type: 'string' },
      window: { type: 'string' },
      'min-confidence': { type: 'string' },
      'max-calls-per-item': { type: 'string' },
      'json-answers': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...ORCHESTRATION_ARGS,
    },
  });
  if (values.help) {
    io.stdout.write(runHelp);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`run reads items from stdin; unexpected argument "${positionals[0]}"\n\n${runHelp}`);
  if (values.task === undefined) throw new UsageError(`run needs --task task.json\n\n${runHelp}`);
  const task = loadTaskFile(values.task);
  const batch = positiveInt('batch', values.batch);
  const window = positiveInt('window', values.window);
  const maxCalls = positiveInt('max-calls-per-item', values['max-calls-per-item']);
  const minConfidence = values['min-confidence'] === undefined ? undefined : Number(values['min-confidence']);
  if (minConfidence !== undefined && !(minConfidence >= 0 && minConfidence <= 1)) throw new UsageError(`--min-confidence must be a probability between 0 and 1, got "${values['min-confidence']}"`);
  const plan =
    task.kind === 'classification'
      ? { kind: 'classification' as const, task, fuser: chooseStrategy(values.strategy, task, batch ?? DEFAULT_BATCH_SIZE, minConfidence, maxCalls) }
      : { kind: 'qa' as const, task, fuser: chooseQaStrategy(values.strategy, task, batch ?? DEFAULT_BATCH_SIZE) };
  const { fuser } = plan;
  const listed = values.models !== undefined ? splitModelList(values.models) : [...(fuser.models ?? [])];
  // An adaptive policy caps itself; any other strategy is capped by asking only the first models.
  const specs = maxCalls !== undefined && !('policy' in fuser && fuser.policy) ? listed.slice(0, maxCalls) : listed;
  if (specs.length === 0) throw new UsageError(`run needs --models (e.g. --models openai:gpt-4o-mini,ollama:llama3.1)\n\n${runHelp}`);
  const models = resolveModels(specs, io.env ?? process.env);
  if (fuser.models) {
    const absent = fuser.models.filter((m) => !models.some((h) => h.name === m));
    if (absent.length > 0) io.stderr.write(`fusion: warning: the strategy was fitted with ${absent.join(', ')}, not asked here; their answers count as abstentions\n`);    const fitted = fuser.models;
    const unseen = plan.kind === 'qa' ? models.filter((h) => !fitted.includes(h.name)).map((h) => h.name) : [];
    if (unseen.length > 0) io.stderr.write(`fusion: warning: the strategy was not fitted with ${unseen.join(', ')}; their answers get a neutral weight\n`);
  }
  const buildRequest = createRequestBuilder(task, { baseDir: dirname(values.task), format: values['json-answers'] ? 'json' : 'text' });
  const settings = readOrchestrationArgs(values);
  const session = new RunSession(settings, io);
  try {
    session.checkModels(models);
    session.handleInterrupts();
    const common = {
      models,
      orchestrator: session.orchestrator,
      buildRequest,
      input: io.stdin,
      output: io.stdout,
      errors: io.stderr,
      ...(window === undefined ? {} : { window }),
      onItemDone: () => session.progress.itemDone(),
    };
    const result =
      plan.kind === 'classification'
        ? await runPipeline({ ...common, task: plan.task, fuser: plan.fuser })
        : await runQaPipeline({ ...common, task: plan.task, fuser: plan.fuser });
    session.progress.stop();
    if (result.outputClosed) return 0;
    io.stderr.write(`fusion run: ${result.lines} line(s) written, ${result.badLines} bad input line(s), ${result.undecided} undecided\n`);
    io.stderr.write(session.summary());
    const stop = session.orchestrator.stopReason;
    if (stop === 'interrupted' || result.interrupted) return 130;
    if (stop === 'budget') return 3;
    return result.badLines > 0 ? 1 : 0;
  } finally {
    session.close();
  }
}
