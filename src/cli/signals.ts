/**
 * The signals that mean "stop" to a run: Ctrl-C (SIGINT), and SIGTERM and SIGHUP, which
 * `docker stop`, systemd, CI runners and a closed terminal send. All three are handled alike, as
 * Ctrl-C is: stop issuing calls, let those in flight finish and be cached, then print the summary
 * and the resume hint and release the folder lock. Without a handler, TERM and HUP would kill the
 * process at once and the answers of calls in flight, already paid, would be lost.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Listens for every stop signal; returns the function that stops listening. */
export function onStopSignals(handler: (signal: StopSignal) => void): () => void {
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => handler(signal);
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}

/** How a stop signal is named to the user. */
export function signalName(signal: StopSignal): string {
  return signal === 'SIGINT' ? 'interrupted' : `interrupted (${signal})`;
}
