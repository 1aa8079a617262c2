/** Intervention: a failed task's blamed step corrected and the MAS re-run, the blame's evidence (issue 22). */
export { DEFAULT_REPEATS, intervene, MAX_REPEATS, type InterveneOptions, type InterventionProgress, type InterventionResult } from './runIntervention';
export { InterventionError, InterventionOverBudgetError } from './interventionTarget';
export { describeIntervention, INTERVENTIONS_FILE, latestByStep, readInterventions, type InterventionRecord, type InterventionRepeat } from './interventionStore';
export { blameRows, type BlameRow } from './blameEvidence';
