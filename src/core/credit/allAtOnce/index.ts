/** The all-at-once attribution baseline: one prompt with the whole log, one decisive-error answer. */
export { allAtOnceBlame, type AllAtOnceOutcome } from './allAtOnceBlame';
export { ALL_AT_ONCE, createAllAtOnceMethod, type AllAtOnceDetails } from './allAtOnceMethod';
export { ALL_AT_ONCE_MARKER, ALL_AT_ONCE_SCHEMA_NAME, ALL_AT_ONCE_TEMPLATE_VERSION, buildAllAtOnceMessages, MIN_STEP_CHARS, stepCharBudget } from './prompt';
