/** Public API of the run store (`.truce/runs/<runId>/`). */
export { syncDir, writeFileAtomic, writeJsonAtomic } from './atomicWrite';
export { isStoredCallRecord, type StoredCallRecord } from './callRecord';
export { JournalEventSchema, type JournalEntry, type JournalEvent } from './journal';
export { dropTornTail, JsonlAppender, parseJsonlBuffer, readJsonlFile, type JsonlContents, type JsonlLine, type TornTail } from './jsonlFile';
export { listRuns, loadRun, readManifest, resolveRunId, RunNotFoundError, runState, type RunListing, type RunState, type StoredRun } from './loadRun';
export { MANIFEST_FORMAT, ManifestSchema, RUN_STATUSES, type Manifest, type RunStatus } from './manifest';
export { cacheDir, RUN_FILES, runsDir, TRUCE_DIR } from './paths';
export { isRunId, newRunId, RUN_ID_PATTERN } from './runId';
export { RunStore } from './runStore';
export { failureReason, foldCalls, summarizeRun, SUMMARY_FORMAT, type InvocationInfo, type RunSummary, type SplitStats, type TaskFailure } from './summarizeRun';
