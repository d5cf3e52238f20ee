/**
 * `llm-fusion/providers`: live models (OpenAI and compatible servers, Anthropic, Ollama, replay of
 * recorded answers), the orchestrator that limits, retries, budgets and caches their calls, the
 * response stores (SQLite, PostgreSQL), and the providers' batch APIs. `recordFolderResponses`
 * throws `FolderInUseError` when another run is writing the same folder.
 */
export * from '../providers/index.js';
export { createReplayModels, taskPromptResolver as promptResolver } from '../run/replay.js';
export { Orchestrator, type ModelHandle, type OrchestratorOptions, type ProviderLimits } from '../orchestrate/orchestrator.js';
export { openStore, SqliteStore, PostgresStore, StoreError, BatchConflictError, DEFAULT_CACHE_PATH, type ResponseCache, type ResponseStore } from '../orchestrate/cache.js';
export { recordFolderResponses } from '../cli/record-folder.js';
export { FolderInUseError } from '../orchestrate/folder-lock.js';
export { runBatches, type BatchCall, type BatchRetry, type BatchRunOptions, type BatchRunReport } from '../orchestrate/batch/run-batches.js';
export type { BatchStore, BatchJob } from '../orchestrate/batch/batch-store.js';
export type { BatchApi, BatchInfo, BatchLimits, BatchOutcome, BatchStatus } from '../providers/provider.js';
// What a BatchApi's findSubmitted throws when the provider's list cannot tell an intent's batch (`fusion batches abandon` settles `none-carries`, `fusion batches adopt` `several-carry`).
export { UnresolvedCreateError, type UnresolvedCreateReason } from '../providers/provider.js';
