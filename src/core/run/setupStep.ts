import { isLlmError } from '../llm';
import { MasSetupError } from '../mas/errors';
import { RunSetupError } from './runErrors';

/** Setup failures of other modules become one RunSetupError carrying their (actionable) message. */
export async function setup<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof RunSetupError) throw error;
    if (error instanceof MasSetupError || isLlmError(error) || (error as Error).name === 'EvaluatorConfigError') {
      throw new RunSetupError((error as Error).message);
    }
    throw error;
  }
}
