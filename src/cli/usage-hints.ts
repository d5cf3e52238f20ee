import { StrategyError } from '../fuse/strategy.js';
import { UsageError } from './errors.js';

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The `--flags` a command's help lists. */
export function optionsOf(help: string): string[] {
  return [...new Set([...help.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]))];
}

/**
 * The known word closest to `word`, when it is close enough to be a typo: at most a third of its
 * letters wrong (at least one), or `word` the start of exactly one known word.
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const prefixed = known.filter((k) => k.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(word, k);
    if (!best || d < best.d) best = { k, d };
  }
  return best && best.d <= Math.max(1, Math.floor(word.replace(/^-+/, '').length / 3)) ? best.k : undefined;
}

/**
 * A usage error in plain words for a parseArgs failure (`ERR_PARSE_ARGS_*`), with "did you mean"
 * for an unknown option that looks like a known one.
 */
export function parseArgsMessage(message: string, help: string | undefined, argv: readonly string[] = []): string {
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message);
  if (unknown) {
    const flag = unknown[1] as string;
    const guess = help ? didYouMean(flag.split('=')[0] as string, optionsOf(help)) : undefined;
    return `unknown option ${flag}${guess ? `; did you mean ${guess}?` : ''}`;
  }
  const missing = /^Option '(-{1,2}[\w-]+)(?:, -\w)?(?: <value>)?' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  // A flag followed by another flag (its value forgotten): parseArgs calls it "ambiguous".
  const ambiguous = /^Option '(-{1,2}[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const flag = ambiguous[1] as string;
    const next = argv[argv.indexOf(flag) + 1];
    return `${flag} needs a value (the next argument${next === undefined ? '' : `, "${next}",`} starts with "-": write ${flag}=VALUE for a value that does)`;
  }
  const switchValue = /^Option '(-{1,2}[\w-]+)' does not take an argument/.exec(message);
  if (switchValue) return `${switchValue[1]} takes no value (it is a switch: ${switchValue[1]} alone)`;
  const unexpected = /^Unexpected argument '([^']+)'/.exec(message);
  if (unexpected) return `unexpected argument "${unexpected[1]}"`;
  return message;
}

/** A usage message without the full help some commands append to it (one hint line replaces it). */
export function withoutHelp(message: string): string {
  const at = message.indexOf('\n\nUsage: ');
  return at === -1 ? message : message.slice(0, at);
}

/**
 * A strategy the command line names that cannot be used (unknown, or one that must be fitted
 * first), as a usage error naming the flag, with "did you mean" when the name is a typo of one of
 * `names`. Any other error is returned as it is.
 */
export function strategyFlagError(error: unknown, flag: string, value: string | undefined, names: readonly string[]): unknown {
  if (!(error instanceof StrategyError)) return error;
  const guess = value === undefined || names.includes(value) ? undefined : didYouMean(value, names);
  return new UsageError(`${flag}${value === undefined ? '' : ` ${value}`}: ${error.message}${guess ? `; did you mean ${guess}?` : ''}`);
}
