/** Every `truce` subcommand, in the order `truce --help` lists them. */
import type { CliCommand } from './command';
import { unitsCommand } from './commands/unitsCommand';

export const commands: CliCommand[] = [unitsCommand];
