/**
 * The seeded simulation world for tests and benches: the world itself ships in src/core/sim (the
 * demo mode uses it); the parts only tests and benches need — a generated workspace, runs of it,
 * in-process trajectories — live here.
 */
export * from '../../../src/core/sim';
export { writeSimWorkspace, promptFileText, simConfig, type SimWorkspace, type WorkspaceOptions } from './workspace';
