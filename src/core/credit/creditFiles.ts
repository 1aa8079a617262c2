/**
 * The credit files of a run folder, written by the optimizer after each round's credit and by
 * `truce credit` on a stored run, and read back by `truce suggest` and interventions:
 *
 *   credit.json    the last credit report in full (details included)
 *   credit.jsonl   every credit signal, one per line (appended round by round in an optimize run)
 *
 * They live here, beside the report's type, so that readers below the optimizer (interventions,
 * stored-run credit) need not import the optimizer's store to find them.
 */
import { join } from 'node:path';
import { JsonlAppender, readJsonIfPresent, writeFileAtomic, writeJsonAtomic } from '../store';
import type { CreditReport } from './types';

export const CREDIT_FILES = {
  report: 'credit.json',
  signals: 'credit.jsonl',
} as const;

/** The last credit report in `dir`, or undefined when no credit was written there. */
export function readCreditReport(dir: string): Promise<CreditReport | undefined> {
  return readJsonIfPresent<CreditReport>(join(dir, CREDIT_FILES.report));
}

/** Writes the report whole and its signals to the signal log: appended, or replacing the log. */
export async function writeCredit(dir: string, report: CreditReport, append: boolean): Promise<void> {
  await writeJsonAtomic(join(dir, CREDIT_FILES.report), report);
  if (append) {
    const { appender } = await JsonlAppender.open(join(dir, CREDIT_FILES.signals));
    await appender.append(...report.signals);
    await appender.flush();
  } else {
    await writeFileAtomic(join(dir, CREDIT_FILES.signals), report.signals.map((s) => `${JSON.stringify(s)}\n`).join(''));
  }
}
