import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { integerFromEnv } from '../../task/env-integer.js';
import { processAlive } from '../../util/process-alive.js';

/** How long a claim holds without renewal. A live run renews every third of it. */
export const DEFAULT_LEASE_MS = 30_000;

/** Tests shorten the lease through this variable, so that killed workers' claims lapse quickly. */
export const LEASE_ENV = 'FUSION_CLAIM_LEASE_MS';

/** Shortest lease accepted: a live run renews every third of it, so shorter would renew in a busy loop. */
export const MIN_LEASE_MS = 100;

/** Longest lease accepted: a killed worker's claims must lapse within a day, or its calls are never taken over. */
export const MAX_LEASE_MS = 86_400_000;

/**
 * The lease, from FUSION_CLAIM_LEASE_MS when set. A value that is not a whole number of
 * milliseconds within [MIN_LEASE_MS, MAX_LEASE_MS] is an InputError naming the variable, where it
 * used to fall back to the default silently (a typo then changed how long a killed worker's calls
 * stay claimed without a word).
 */
export function leaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const what = `a whole number of milliseconds from ${MIN_LEASE_MS} to ${MAX_LEASE_MS}`;
  return integerFromEnv(env, LEASE_ENV, { min: MIN_LEASE_MS, max: MAX_LEASE_MS, what }) ?? DEFAULT_LEASE_MS;
}

/**
 * The process namespace this run's pid means something in: the machine's boot id and the PID
 * namespace, read from /proc (Linux). Two containers on one host share the boot id but not the
 * namespace, so "pid 1" in one is never mistaken for "pid 1" in the other. Undefined where /proc
 * does not tell: then only the lease decides.
 */
function readScope(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const ns = readlinkSync('/proc/self/ns/pid');
    return boot && ns ? `${boot}/${ns}` : undefined;
  } catch {
    return undefined;
  }
}

/** Who holds a claim: a random run id, and where its pid can be checked. */
export interface ClaimOwner {
  runId: string;
  scope: string | undefined;
  pid: number;
}

export function newClaimOwner(): ClaimOwner {
  return { runId: randomUUID(), scope: readScope(), pid: process.pid };
}

/**
 * A claim whose owner is provably gone: it was taken in this very PID namespace of this boot and
 * its process no longer exists. Such a claim is taken over at once instead of after its lease (a
 * run killed on this machine). Anything less certain (another machine, another container, a pid
 * now used by another process) waits for the lease.
 */
export function ownerIsGone(held: { owner: string; scope: string | null; pid: number }, me: ClaimOwner): boolean {
  if (held.owner === me.runId || me.scope === undefined || held.scope !== me.scope) return false;
  if (held.pid === me.pid) return false;
  return !processAlive(held.pid);
}

/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC on Linux): one clock for every
 * process of a boot, which a step of the wall clock (`date -s`, an NTP step, a restored VM) does
 * not move.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

/** A claim's expiry on both clocks: the wall clock's for whoever is elsewhere, the monotonic one for its own scope (null when written by a version without it). */
export interface LeaseEnd {
  scope: string | null;
  expires_ms: number;
  expires_mono: number | null;
}

/**
 * Whether a claim's lease still runs. In this run's own scope (same boot, same PID namespace) it is
 * read on the monotonic clock both runs share: read on the wall clock, a step forward past the lease
 * made a live run's claims look lapsed until its next renewal, and a second run bought the calls
 * the first was waiting for. Elsewhere (another machine or container) the wall clock is all there is.
 */
export function leaseRuns(held: LeaseEnd, me: ClaimOwner, wallNow: number, monoNow: number): boolean {
  if (me.scope !== undefined && held.scope === me.scope && held.expires_mono !== null) return held.expires_mono > monoNow;
  return held.expires_ms > wallNow;
}

/**
 * Whether the run that recorded a batch intent is still creating its batch: it is this run, or it
 * holds a claim under a live lease (a batch run claims its calls before creating) and is not
 * provably gone. A killed run's intent is then looked up at once on its machine, elsewhere after its lease.
 */
export function intentIsLive(intent: { owner: string; scope: string | null; pid: number | null }, me: ClaimOwner, leaseLive: boolean): boolean {
  if (intent.owner === me.runId) return true;
  if (!leaseLive || intent.pid === null) return false;
  return !ownerIsGone({ owner: intent.owner, scope: intent.scope, pid: intent.pid }, me);
}
