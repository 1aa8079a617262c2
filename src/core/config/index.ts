export * from './schema';
export { parseConfig, type ConfigDiagnostic, type ConfigResult, type ConfigContext } from './parseConfig';
