/**
 * The seeded simulation world (DESIGN.md §8): scripted agents and a scripted optimizer LLM whose
 * replies follow from a scenario and the request text alone. The tests and benches run TRUCE
 * against it through the fake OpenAI server; the demo mode (src/core/demo) runs the example
 * workspace against it in-process, with no endpoint at all. Nothing here calls a model.
 */
export { loadScenario, parseScenario, scenarioSchema, type Scenario, type ScenarioInput, type Skill, type HarmfulRule } from './scenario';
export { World, LETTERS, normalizeText, USELESS_RULES, VAGUE_RULES, type SimTask, type TaskFacts } from './world';
export { createSimResponder, classify, type CallKind, type SimResponder } from './responder';
export { rolloutReply, agentOfSystemPrompt, CONFIDENCE, type RolloutCall, type RolloutKind } from './rollout';
export { optimizerReply, OPTIMIZER_CALLS, type OptimizerCall, type OptimizerKind } from './optimizerReplies';
export { blamesIn, blameText, causeKey, causesInOutput, rulesIn, type Cause, type ShownRule } from './evidence';
export { fixFor, noiseEdit, type SimEdit } from './edits';
export { hashSeed, pick, randomFor, uniform } from './random';
export type { SimChatRequest, SimReply, SimResponderFn, SimUsage } from './chatTypes';
