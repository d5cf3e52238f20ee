import type { OrchestratorStats } from './stats.js';

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatUsd(usd: number): string {
  return usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(4)}`;
}

/** The progress text: items, calls, cache hits, retries, failures, cost and ETA. Pure, for tests. */
export function progressText(stats: OrchestratorStats, itemsDone: number, totalItems: number | undefined, elapsedMs: number): string {
  const t = stats.total;
  const items = totalItems === undefined ? `${itemsDone}` : `${itemsDone}/${totalItems}`;
  const parts = [`items ${items}`, `calls ${t.requests}`, `cached ${t.cacheHits}`, `retries ${t.retries}`];
  if (t.failures > 0) parts.push(`failed ${t.failures}`);
  parts.push(`cost ${formatUsd(t.costUsd)}`);
  if (totalItems !== undefined && itemsDone > 0 && itemsDone < totalItems) {
    parts.push(`ETA ${formatDuration((elapsedMs / itemsDone) * (totalItems - itemsDone))}`);
  }
  if (stats.stopReason) parts.push(`stopping (${stats.stopReason})`);
  return parts.join(' | ');
}
