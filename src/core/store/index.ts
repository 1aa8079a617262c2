/** Public API of the run store (`.truce/runs/<runId>/`). */
export { syncDir, writeFileAtomic, writeJsonAtomic, type BeforeReplace, type KeptAttributes } from './atomicWrite';
export { DamagedJsonFileError, readJsonIfPresent } from './readJsonIfPresent';
export { FileChangedError, replaceUserFile } from './replaceUserFile';
export { OutputPathError, writeOutputFile } from './writeOutputFile';
export { isStoredCallRecord, type StoredCallRecord } from './callRecord';
export { JournalEventSchema, type JournalEntry, type JournalEvent } from './journal';
export { dropTornTail, JsonlAppender, parseJsonlBuffer, readJsonlFile, type JsonlContents, type JsonlLine, type TornTail } from './jsonlFile';
export { listRuns, loadRun, readManifest, resolveRunId, RunNotFoundError, runState, type RunListing, type RunState, type StoredRun } from './loadRun';
export { MANIFEST_FORMAT, ManifestSchema, RUN_STATUSES, type Manifest, type RunStatus } from './manifest';
export { cacheDir, OPTIMIZE_MANIFEST_FILE, RUN_FILES, runsDir, TRUCE_DIR } from './paths';
export { isRunId, newRunId, RUN_ID_PATTERN } from './runId';
export { describeOwner, FileLock, LockTimeoutError, tryLock, waitForLock, type LockOwner } from './fileLock';
export { runDir, RunRefError } from './runDir';
export { lockRunDir, RUN_LOCK_FILE, RunBusyError, type RunLockPurpose } from './runLock';
export { RunStore } from './runStore';
export { describeStoreError, RunStoreError } from './storeErrors';
export { failureReason, foldCalls, summarizeRun, SUMMARY_FORMAT, type InvocationInfo, type RunSummary, type SplitStats, type TaskFailure } from './summarizeRun';
