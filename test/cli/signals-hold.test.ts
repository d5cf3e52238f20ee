import { describe, expect, it } from 'vitest';
import { holdStopSignals, onStopSignals, releaseStopSignals, type StopSignal } from '../../src/cli/signals.js';

/**
 * The hold in one process (the real `process` object; `process.emit` stands in for delivery, which
 * test/safety/early-signals.test.ts does with real signals): a signal kept while nobody listens goes
 * to the first listener, and the hold ends there, so once that listener stops listening a signal
 * has its default action again (a long evaluation after the calls is killed by it, as before).
 */
describe('holding stop signals until a command listens', () => {
  it('hands a kept signal to the first listener, then lets the signals go when it stops listening', () => {
    const baseline = process.listenerCount('SIGTERM');
    holdStopSignals();
    expect(process.listenerCount('SIGTERM')).toBe(baseline + 1);
    process.emit('SIGTERM');
    const got: StopSignal[] = [];
    const stop = onStopSignals((s) => got.push(s));
    expect(got).toEqual(['SIGTERM']);
    process.emit('SIGHUP');
    expect(got).toEqual(['SIGTERM', 'SIGHUP']);
    stop();
    expect(process.listenerCount('SIGTERM')).toBe(baseline);
    expect(process.listenerCount('SIGHUP')).toBe(0);
    releaseStopSignals({ reraise: false });
    expect(process.listenerCount('SIGTERM')).toBe(baseline);
  });

  it('a hold released by a command that never listens leaves no listener behind', () => {
    const baseline = process.listenerCount('SIGINT');
    holdStopSignals();
    releaseStopSignals({ reraise: true });
    expect(process.listenerCount('SIGINT')).toBe(baseline);
  });
});
