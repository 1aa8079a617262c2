export { DEMO_BASE_URL, DEMO_LABEL, DEMO_MODEL, isDemoEndpoint } from '../demoEndpoint';
export { demoConfig, loadDemoWorld, NamedEndpointUnreachableError, resolveDemoMode, type DemoDecision, type DemoModeOptions } from './demoMode';
export { createDemoFetch } from './demoFetch';
export { DemoWorldError, demoScenario, demoWorldFileSchema, parseDemoWorldFile, type DemoWorldFile } from './demoWorldFile';
export { MAX_DEMO_WORLD_BYTES, readDemoWorldText } from './readDemoWorldText';
