import type { BatchModeOptions } from './batch-phase.js';
import type { PollSettings } from '../orchestrate/batch/poll.js';
import { UsageError } from './errors.js';

/** `parseArgs` options of offline (batch) mode, shared by `run` and `eval --models`. */
export const BATCH_ARGS = {
  batch: { type: 'boolean', default: false },
  'batch-retry': { type: 'string' },
  'batch-poll': { type: 'string' },
} as const;

export const batchHelp = `Offline mode (provider batch APIs, half price, answers within 24 h):
  --batch            ask openai: and anthropic: models through their batch APIs and wait for the
                     results (ollama: and servers without a batch API are asked live, with a note);
                     a killed run started again polls its batches instead of submitting them again
  --batch-retry M    expired or errored requests: "live" (default) asks them live at the full price,
                     "batch" submits them again in a new batch (up to 3 rounds)
  --batch-poll S     longest wait between two polls, seconds (default 60; the first poll comes after
                     min(5, S) s and the wait grows by half each round)
`;

export interface BatchValues {
  batch?: boolean;
  'batch-retry'?: string;
  'batch-poll'?: string;
}

/** The batch-mode flags as options, or undefined without `--batch`. */
export function readBatchArgs(values: BatchValues): BatchModeOptions | undefined {
  if (!values.batch) {
    if (values['batch-retry'] !== undefined || values['batch-poll'] !== undefined) throw new UsageError('--batch-retry and --batch-poll need --batch');
    return undefined;
  }
  const retry = values['batch-retry'] ?? 'live';
  if (retry !== 'live' && retry !== 'batch') throw new UsageError(`--batch-retry must be "live" or "batch", got "${retry}"`);
  const poll: Partial<PollSettings> = {};
  if (values['batch-poll'] !== undefined) {
    const s = Number(values['batch-poll']);
    if (!Number.isFinite(s) || s <= 0) throw new UsageError(`--batch-poll must be a positive number of seconds, got "${values['batch-poll']}"`);
    poll.maxMs = s * 1000;
    poll.initialMs = Math.min(5000, s * 1000);
  }
  return { retry, poll };
}

