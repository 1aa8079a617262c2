/**
 * The CLI's go/no-go before spending (core/run/spendPlan.ts): the projection and the caps are
 * always printed; a plan within the caps starts; a plan over a cap starts with --yes, or after a
 * "y" on a terminal, and otherwise is refused — CI has no terminal and must never wait for one.
 */
import type { TruceConfig } from '../core/config';
import { capName, capsBroken, capsNamedIn, describeSpendPlan, howToRaise, type ConfirmSpend } from '../core/run/spendPlan';
import { UsageError, type CliIO } from './command';

export function cliConfirmSpend(io: CliIO, command: string, yes: boolean): ConfirmSpend {
  return async (plan) => {
    for (const line of describeSpendPlan(plan)) io.stderr(`truce ${command}: ${line}\n`);
    const broken = capsBroken(plan);
    if (!broken.length) return true;
    if (yes) {
      io.stderr(`truce ${command}: --yes: starting anyway; it stops at the cap.\n`);
      return true;
    }
    if (io.confirm) return io.confirm(`Start the ${plan.what} anyway? It stops when the ${broken.map(capName).join(' and ')} is reached.`);
    io.stderr(
      `truce ${command}: not started: the projection exceeds the ${broken.map(capName).join(' and ')}, and without a terminal there is no one to ask. ` +
        `Pass --yes to start anyway (it stops cleanly at the cap; to go on from there, ${howToRaise(broken)}, then --resume it), ${howToRaise(broken)} now, or plan a smaller ${plan.what}.\n`,
    );
    return false;
  };
}

/**
 * How to finish something that stopped before its end: `command --resume RUN`, and when a budget
 * cap stopped it (`budgetReason` is then the stop's reason), what to raise first. The cost cap is
 * raised on the command line; the call and token caps only in truce.yaml.
 */
export function resumeLine(command: string, runId: string, budgetReason?: string): string {
  const caps = budgetReason === undefined ? [] : capsNamedIn(budgetReason);
  const inYaml = caps.filter((c) => c !== 'costUsd');
  return `Resume with: ${command} --resume ${runId}${caps.includes('costUsd') ? ' --max-usd <a larger cap>' : ''}${inYaml.length ? ` (first ${howToRaise(inYaml)})` : ''}`;
}

/** `--max-usd X`: a positive number of dollars, or a usage error. */
export function parseMaxUsd(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/^\$/, ''));
  if (!/^\$?\d*\.?\d+$/.test(value.trim()) || !(n > 0)) throw new UsageError(`--max-usd needs a positive amount of US dollars, like 4 or 0.50, got "${value}"`);
  return n;
}

/** The configuration with --max-usd in place of budget.maxCost (the budget is not part of a run's identity, so a resume may raise it). */
export function withMaxUsd(config: TruceConfig, maxUsd: number | undefined): TruceConfig {
  return maxUsd === undefined ? config : { ...config, budget: { ...config.budget, maxCost: maxUsd } };
}
