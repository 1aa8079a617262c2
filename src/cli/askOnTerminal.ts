/** A yes/no question on the terminal (stderr, so stdout stays machine-readable); anything but y/yes is no. */
import { createInterface } from 'node:readline/promises';

export async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
