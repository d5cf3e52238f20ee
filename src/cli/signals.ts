/**
 * The signals that mean "stop" to a run: Ctrl-C (SIGINT), and SIGTERM and SIGHUP, which
 * `docker stop`, systemd, CI runners and a closed terminal send. All three are handled alike, as
 * Ctrl-C is: stop issuing calls, let those in flight finish and be cached, then print the summary
 * and the resume hint and release the folder lock. Without a handler, TERM and HUP would kill the
 * process at once and the answers of calls in flight, already paid, would be lost.
 *
 * A command that asks models listens only once its session exists, after its modules are loaded
 * and its store is open; a signal in between would kill the process with the default 143 instead
 * of the documented 130. So the `fusion` bin holds the stop signals from its first line
 * (`holdStopSignals`): a signal that arrives while nobody listens is kept, and handed to the first
 * listener (`onStopSignals`), which then stops before its first call, and ends the hold. A command
 * that will not listen lets the hold go (`releaseStopSignals`), and a signal kept by then ends the
 * process as it would have without the hold.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

const handlers = new Set<(signal: StopSignal) => void>();
/** Signals that arrived while held and nobody listened, in order. */
const kept: StopSignal[] = [];
const relays = new Map<StopSignal, () => void>();
let holding = false;

function relay(signal: StopSignal): void {
  if (handlers.size > 0) for (const handler of [...handlers]) handler(signal);
  else kept.push(signal);
}

function attach(): void {
  if (relays.size > 0) return;
  for (const signal of STOP_SIGNALS) {
    const listener = (): void => relay(signal);
    process.on(signal, listener);
    relays.set(signal, listener);
  }
}

/** Nobody listens and nothing holds: the signals get their default action back. */
function detachIfIdle(): void {
  if (handlers.size > 0 || holding) return;
  for (const [signal, listener] of relays) process.off(signal, listener);
  relays.clear();
}

/** From now on a stop signal nobody listens for is kept for the first listener instead of killing the process. */
export function holdStopSignals(): void {
  holding = true;
  attach();
}

/**
 * Ends the hold. `reraise`: a signal kept and never handed to a listener ends the process now, with
 * its default action (the command had not started anything it could stop cleanly).
 */
export function releaseStopSignals(options: { reraise: boolean }): void {
  holding = false;
  const first = kept.splice(0)[0];
  detachIfIdle();
  if (first !== undefined && options.reraise && handlers.size === 0) process.kill(process.pid, first);
}

/** Listens for every stop signal, first handed the ones kept by the hold (which it ends); returns the function that stops listening. */
export function onStopSignals(handler: (signal: StopSignal) => void): () => void {
  attach();
  handlers.add(handler);
  // The hold has done its work: once this listener stops listening, a signal acts as it does
  // without one (a long evaluation after the calls is killed by it, as before).
  holding = false;
  for (const signal of kept.splice(0)) handler(signal);
  return () => {
    handlers.delete(handler);
    detachIfIdle();
  };
}

/** How a stop signal is named to the user. */
export function signalName(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'interrupted' : `interrupted (${signal})`;
}
