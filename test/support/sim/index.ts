/** The seeded simulation world (DESIGN.md §8), for tests and the bench; never shipped. */
export { loadScenario, parseScenario, scenarioSchema, type Scenario, type ScenarioInput, type Skill, type HarmfulRule } from './scenario';
export { World, LETTERS, normalizeText, USELESS_RULES, VAGUE_RULES, type SimTask } from './world';
export { writeSimWorkspace, promptFileText, simConfig, type SimWorkspace, type WorkspaceOptions } from './workspace';
export { createSimResponder, classify, type CallKind, type SimResponder } from './responder';
export { rolloutReply, agentOfSystemPrompt, CONFIDENCE, type RolloutCall, type RolloutKind } from './rollout';
export { optimizerReply, OPTIMIZER_CALLS, type OptimizerCall, type OptimizerKind } from './optimizerReplies';
export { blamesIn, blameText, causeKey, causesInOutput, rulesIn, type Cause } from './evidence';
export { hashSeed, randomFor, uniform } from './random';
