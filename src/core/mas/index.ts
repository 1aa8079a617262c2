/** Public API of the MAS runners (DESIGN.md §6). */
export type { AgentPromptText, MasRunContext, MasRunFailure, MasRunner, MasRunResult, MasTask, PromptSet } from './types';
export { MasSetupError } from './errors';
export { assemblePrompt, type PromptSource } from './assemblePrompt';
export { loadPromptSet, promptSetHash, type PromptFileReader } from './loadPromptSet';
export { createMasRunner, type MasRunnerDeps } from './createMasRunner';
export { RoundsMas, type RoundsMasConfig, type RoundsMasOptions } from './roundsMas';
export { ROUNDS_TEMPLATE_VERSION } from './roundsMessages';
export { consensusAnswer, extractAnswer, normalizeAnswer } from './consensus';
export { fillTemplate, templateValues } from './fillTemplate';
export { CommandMas, type CommandMasConfig, type CommandMasOptions } from './commandMas';
export { CommandOutputReader, type CommandOutput } from './commandOutput';
export { OtlpReceiver, DEFAULT_MAX_BODY_BYTES, type OtlpReceiverOptions, type OtlpTaskCollection } from './otlpReceiver';
export { decodeTraceRequest, type DecodeResult } from './otlpProtobuf';
export type * from './otlpTypes';
export { isMasRunFailure } from './isMasRunFailure';
export type { GatewayCallSummary, MasGateway, MasGatewaySession, ReportedModelCall } from './masGateway';
