/** Public API of the run engine: run a MAS over a task set into the run store. */
export { applyExecutorOverrides, type ExecutorOverride } from './executorOverrides';
export { createJudgeCaller } from './judgeCaller';
export { defaultMasBackend, type MasBackend, type MasBackendContext } from './masBackend';
export { probeExecutor, REACHABILITY_TEMPLATE } from './probeExecutor';
export { budgetLimits, describeSpend, overBudgetMessage, planCalls, projectRun, type RunProjection } from './projectRun';
export { RunSetupError } from './runErrors';
export { configHash, snapshotPromptFiles, type PromptFileSnapshot } from './runIdentity';
export { runMas, type RunMasOptions, type RunResult } from './runMas';
export type { RunProgress } from './runProgress';
export { renderJunitReport } from './reportJunit';
export { renderMarkdownReport } from './reportMarkdown';
export { buildRunReport, type RunReport, type TaskRow } from './runReport';
