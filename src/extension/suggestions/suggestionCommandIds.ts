/** Command ids of the run-data features (credit, suggestions, ledger), shared by registrations and links. */
export const SELECT_RUN_COMMAND = 'truce.selectRun';
export const SHOW_UNIT_EVIDENCE_COMMAND = 'truce.showUnitEvidence';
export const APPLY_SUGGESTION_COMMAND = 'truce.applySuggestion';
export const PREVIEW_SUGGESTION_COMMAND = 'truce.previewSuggestion';
export const APPLY_ALL_SUGGESTIONS_COMMAND = 'truce.applyAllSuggestions';
export const REVERT_EDIT_COMMAND = 'truce.revertEdit';
/** The trajectory panel's command; evidence links open it when it is registered. */
export const OPEN_TRAJECTORY_PANEL_COMMAND = 'truce.openTrajectoryPanel';
export const PREVIEW_SCHEME = 'truce-preview';
export const SHOW_RUN_REPORT_COMMAND = 'truce.showRunReport';
export const COMPUTE_CREDIT_COMMAND = 'truce.computeCredit';
export const OPTIMIZE_COMMAND = 'truce.optimize';
export const SUGGEST_EDITS_COMMAND = 'truce.suggestEdits';
