/** Public API of the temporal + structural credit method (BCD). */
export { createBcdMethod, type BcdMethod, type BcdMethodSettings } from './bcdMethod';
export { BcdOptionsSchema, resolveBcdOptions, type BcdOptions, type BcdOptionsInput } from './options';
export { fuseCredit, roleCredits, lowestCredit, toSignedScore, type TurnScores } from './fusion';
export { BCD_STATE_VERSION, BcdStateSchema, aggregatorTargets, bcdStateFromDetails, emaStep, initialBcdState, isInformativeFailure, updateTemporal, type BcdState, type RoundCredit, type RoundObservation } from './temporalState';
export { decidePhase, recordPhase, type BcdPhase, type PhaseDecision } from './phase';
export { roundViews, type RoundView, type Utterance } from './roundView';
export { proposalsToSuggestions, unitsOf, type EditProposal, type ProposalOrigin } from './unitProposals';
