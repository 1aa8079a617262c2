/** Test helper: a fixture run written to a temp workspace and loaded the way the host loads it. */
import { RunViewCache } from '../../../src/extension/panel/runViewCache';
import type { RunView } from '../../../src/shared/panel/runView';
import { writePanelRun, type PanelRunOptions } from '../../support/panelRunFixture.mjs';
import { tempDir } from '../llm/helpers';

export const RUN_ID = '20261122-004512-ab12';

export async function panelRun(options: Partial<PanelRunOptions> = {}): Promise<{ view: RunView; workspace: string; remove(): void; dir: string }> {
  const ws = tempDir('panel');
  const { dir } = await writePanelRun(ws.path, { runId: RUN_ID, unitIds: ['planner.aaaaaaaaaa', 'critic.bbbbbbbbbb'], ...options });
  return { view: await loadView(ws.path), workspace: ws.path, remove: ws.remove, dir };
}

/** (Re)loads a run from disk the way the host does (an optimize run with its sub-runs). */
export async function loadView(workspace: string, runId = RUN_ID): Promise<RunView> {
  return new RunViewCache(workspace).view(runId);
}
