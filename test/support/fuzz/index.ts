/** Every fuzz target, for the fast slice in `npm test` and for `bench/fuzz.ts`. */
export { configTarget } from './configs';
export { extractJsonTarget, openStructuredTarget } from './llmReplies';
export { promptFileTarget } from './promptFiles';
export { finding, type Finding, type FuzzTarget } from './target';
export { importTarget, SEEDS, IMPORTERS, type ImportFormat } from './trajectoryInputs';
export { openOtlpFileTarget } from './otlpFile';
export { FUZZ_REGRESSIONS, KNOWN_DEFECTS, knownDefect, type KnownDefect } from './knownDefects';
