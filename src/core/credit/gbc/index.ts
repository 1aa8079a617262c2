/** Public API of the GBC attribution-graph method. */
export { createGbcMethod, GbcTaskGraphSchema, type GbcMethodSettings, type GbcTaskGraph } from './gbcMethod';
export { GbcOptionsSchema, resolveGbcOptions, type GbcOptions, type GbcOptionsInput } from './options';
export { buildAgentGraph, predecessorsOf, type AgentGraph, type GraphEdge, type GraphNode } from './graph';
export { selectTopPredecessors, type WeightedPredecessor } from './topK';
export { attributionPaths, nodeBlame, type AttributionPath, type KeptEdge } from './traversal';
export { tokenDivergence, wordTokens } from './divergence';
export { withoutBlock, recordedMessages, ablationWeights, ABLATION_TEMPLATE_VERSION, type AblationResult } from './ablation';
export { judgeWeights, type JudgeResult } from './judgeWeights';
export { normalizedUpdateFrequency, type UpdateOccasion } from './updateFrequency';
export { verbalLoss, type VerbalLoss } from './verbalLoss';
