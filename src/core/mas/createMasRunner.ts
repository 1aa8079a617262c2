/**
 * Builds the runner the configuration asks for. The composition roots (CLI, extension) call this
 * once per run; `trusted` comes from Workspace Trust or the CLI's `--trust`.
 */
import type { TruceConfig } from '../config';
import { CommandMas } from './commandMas';
import { MasSetupError } from './errors';
import { RoundsMas } from './roundsMas';
import type { MasRunner } from './types';

export interface MasRunnerDeps {
  /** Absolute path of the workspace folder; `mas.cwd` is relative to it. */
  workspaceRoot: string;
  trusted: boolean;
  /** TRUCE's environment, where a command MAS's `passEnv` names are looked up; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Parent of the command MAS's per-execution temp dirs; default the OS temp dir. */
  tmpDir?: string;
}

/** Throws MasSetupError when the configured MAS cannot run (see the runners' constructors). */
export function createMasRunner(config: TruceConfig, deps: MasRunnerDeps): MasRunner {
  const mas = config.mas;
  switch (mas.kind) {
    case 'rounds':
      return new RoundsMas({ mas, agents: config.agents });
    case 'command':
      return new CommandMas({
        mas,
        workspaceRoot: deps.workspaceRoot,
        trusted: deps.trusted,
        ...(deps.env !== undefined ? { env: deps.env } : {}),
        ...(deps.tmpDir !== undefined ? { tmpDir: deps.tmpDir } : {}),
      });
    case 'import':
      throw new MasSetupError(
        'mas.kind "import" describes trajectories recorded elsewhere; they are read with `truce import`, not executed. ' +
          'To run tasks, configure mas.kind "rounds" or "command".',
      );
  }
}
