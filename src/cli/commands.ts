/** Every `truce` subcommand, in the order `truce --help` lists them. */
import type { CliCommand } from './command';
import { importCommand } from './commands/importCommand';
import { reportCommand } from './commands/reportCommand';
import { runCommand } from './commands/runCommand';
import { unitsCommand } from './commands/unitsCommand';
import { validateCommand } from './commands/validateCommand';

export const commands: CliCommand[] = [validateCommand, runCommand, reportCommand, importCommand, unitsCommand];
