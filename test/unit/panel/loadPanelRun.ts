/** Test helper: a fixture run written to a temp workspace and loaded the way the host loads it. */
import { loadRun } from '../../../src/core/store';
import { RunView } from '../../../src/shared/panel/runView';
import { readRunExtras } from '../../../src/extension/panel/readRunExtras';
import { writePanelRun, type PanelRunOptions } from '../../support/panelRunFixture.mjs';
import { tempDir } from '../llm/helpers';

export const RUN_ID = '20261122-004512-ab12';

export async function panelRun(options: Partial<PanelRunOptions> = {}): Promise<{ view: RunView; workspace: string; remove(): void; dir: string }> {
  const ws = tempDir('panel');
  const { dir } = await writePanelRun(ws.path, { runId: RUN_ID, unitIds: ['planner.aaaaaaaaaa', 'critic.bbbbbbbbbb'], ...options });
  return { view: await loadView(ws.path), workspace: ws.path, remove: ws.remove, dir };
}

/** (Re)loads the fixture run from disk, optional files included. */
export async function loadView(workspace: string): Promise<RunView> {
  const run = await loadRun(workspace, RUN_ID);
  const extras = await readRunExtras(run.dir);
  return new RunView({ manifest: run.manifest, trajectories: run.trajectories, problems: run.problems, extras });
}
