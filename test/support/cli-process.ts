import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './run-cli.js';

const cliPath = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** The `fusion` CLI (from source, through tsx) in a process of its own: real signals, real file descriptors. */
export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  out(): string;
  err(): string;
  /** Exit code (or the signal's name), or 'hung' when it has not exited `ms` after this was asked; a hung process is killed. */
  exit(ms: number): Promise<number | string | 'hung'>;
}

/** Starts `fusion args...` with `env` added; `input` goes to stdin, which is closed after it unless `keepStdinOpen`. */
export function startCliProcess(
  args: readonly string[],
  env: Record<string, string> = {},
  input = '',
  options: { keepStdinOpen?: boolean; cwd?: string; /** A command the CLI runs under (`unshare --pid --fork`: another PID namespace, as on another machine). */ prefix?: readonly string[] } = {},
): CliProcess {
  const command = [...(options.prefix ?? []), process.execPath, '--import', 'tsx', cliPath, ...args];
  const child = spawn(command[0]!, command.slice(1), { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  child.stdin.on('error', () => undefined);
  if (options.keepStdinOpen) child.stdin.write(input);
  else child.stdin.end(input);
  return {
    child,
    out: () => out,
    err: () => err,
    exit: async (ms) => {
      const r = await Promise.race([exited, new Promise<'hung'>((res) => setTimeout(() => res('hung'), ms))]);
      if (r === 'hung') child.kill('SIGKILL');
      return r;
    },
  };
}
