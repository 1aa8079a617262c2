/** Every `truce` subcommand, in the order `truce --help` lists them. */
import type { CliCommand } from './command';
import { applyCommand, revertCommand } from './commands/applyCommand';
import { attachCommand } from './commands/attachCommand';
import { creditCommand, suggestCommand } from './commands/creditCommand';
import { evalAttributionCommand } from './commands/evalAttributionCommand';
import { importCommand } from './commands/importCommand';
import { interveneCommand } from './commands/interveneCommand';
import { optimizeCommand } from './commands/optimizeCommand';
import { reportCommand } from './commands/reportCommand';
import { runCommand } from './commands/runCommand';
import { unitsCommand } from './commands/unitsCommand';
import { validateCommand } from './commands/validateCommand';

export const commands: CliCommand[] = [
  validateCommand,
  runCommand,
  reportCommand,
  importCommand,
  attachCommand,
  unitsCommand,
  optimizeCommand,
  creditCommand,
  suggestCommand,
  interveneCommand,
  applyCommand,
  revertCommand,
  evalAttributionCommand,
];
