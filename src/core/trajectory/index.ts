/** The trajectory module: the model, validation, native JSONL, importers and partitioning. */
export * from './schema';
export { validateTrajectory, checkReferences, formatPath, type ValidationProblem, type ValidationResult } from './validate';
export { TRAJECTORY_FORMATS, isErrorIssue, type ImportIssue, type ImportResult, type TrajectoryFormat } from './importResult';
export {
  forEachLineOfText,
  lineBatches,
  LineTooLongError,
  iterateTrajectoriesJsonl,
  streamTrajectoriesJsonl,
  readTrajectoriesJsonl,
  parseTrajectoriesJsonl,
  serializeTrajectory,
  writeTrajectoriesJsonl,
  type JsonlItem,
  type ReadOptions,
} from './jsonl';
export { importNativeText, importNativeFile } from './importNative';
export { importOtlpFile, importOtlpText, type OtlpImportOptions } from './importOtlp';
export { importMarbleText, MARBLE_PLANNER_ID, type MarbleImportOptions } from './importMarble';
export { parseMarbleConfig, type MarbleConfig, type MarbleAgentConfig } from './marbleConfig';
export { importWhoWhenText, type WhoWhenImportOptions } from './importWhoWhen';
export { detectFormat, DETECT_BYTES } from './detectFormat';
export { importFile, openFileImport, readHead, type ImportFileOptions, type FileImportResult, type FileImportStream } from './importFile';
export { partitionTrajectory, type PartitionMode, type SubTrajectory } from './partition';
export { totalUsage } from './usage';
export { importFilesToFolder, isFailedImport, outputNames, type FileReport, type ImportToFolderOptions } from './importToFolder';
