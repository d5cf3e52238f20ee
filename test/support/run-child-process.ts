import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A `fusion run` in a process of its own (test/support/run-child.ts), for real signals. */
export interface RunChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** What it wrote so far. */
  out(): string;
  err(): string;
  /** Its exit code, or 'hung' when it has not exited `ms` after this was asked. */
  exit(ms: number): Promise<number | null | 'hung'>;
}

/**
 * Spawns `fusion run argv` with `env` added, writes `lines` to its stdin and leaves stdin open,
 * like a producer that has more to say. The caller kills it (SIGKILL in a finally) when done.
 */
export function spawnRunChild(argv: readonly string[], env: Record<string, string>, lines: readonly unknown[]): RunChild {
  const script = fileURLToPath(new URL('./run-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...argv], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdin.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return {
    child,
    out: () => out,
    err: () => err,
    exit: (ms) => Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))]),
  };
}
