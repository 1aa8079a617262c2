/** Types of panelRunFixture.mjs for the TypeScript tests that use it. */
export interface PanelRunOptions {
  runId: string;
  tasks?: number;
  rounds?: number;
  bigTaskSteps?: number;
  unitIds?: string[];
  promptFiles?: string[];
  credit?: boolean;
  optimize?: boolean;
  graph?: boolean;
}

export const FIXTURE_HASHES: { initial: string; accepted: string; rejected: string };

export function writePanelRun(workspaceRoot: string, options: PanelRunOptions): Promise<{ dir: string; runId: string; taskIds: string[]; steps: number; subRunIds: string[] }>;
