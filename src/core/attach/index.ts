/** Public API of live attach: record the traces of a MAS that runs on its own as a TRUCE run. */
export { AttachSetupError, describeListenError } from './attachErrors';
export { attachScoring, type AttachScoring, type AttachScoringOptions } from './attachScoring';
export { attachEvaluator, type AttachEvaluatorOptions } from './attachEvaluator';
export { AttachSession, DEFAULT_ATTACH_PORT, type AttachOptions, type AttachStatus } from './attachSession';
export { attachExportVariables, renderExports, type ExportVariable, type ShellKind } from './exportVariables';
export { answerOf, automaticOutcome, userOutcome, verdictOf, VERDICTS, type Verdict } from './liveOutcome';
export { RateError, rateStoredTrajectory } from './rateStoredRun';
export { TaskMatcher, type TaskMatch } from './taskMatcher';
