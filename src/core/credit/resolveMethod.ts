/**
 * How the optimizer loop finds a credit method by name without knowing any method: it is handed
 * a registry of factories (src/core/methods.ts registers TRUCE, BCD and GBC; tests hand in
 * scripted ones). A factory is called once per optimization run, so a method's state (BCD's EMA)
 * lasts the run; on resume it is handed the state the last committed round published
 * (`details.state` of its credit report), so the method continues where it stopped.
 */
import type { CreditMethod, MethodName } from './types';

export interface MethodResume {
  /** `details.state` of the last committed round's credit report, as stored (unvalidated JSON). */
  state?: unknown;
}

export type MethodFactory = (resume?: MethodResume) => CreditMethod;

export type MethodRegistry = Partial<Record<MethodName, MethodFactory>>;

export class UnknownMethodError extends Error {}

export function resolveMethod(name: MethodName, registry: MethodRegistry, resume?: MethodResume): CreditMethod {
  const factory = registry[name];
  if (!factory) {
    const known = Object.keys(registry).sort().join(', ');
    throw new UnknownMethodError(`The credit method "${name}" is not available in this build (available: ${known}).`);
  }
  return factory(resume);
}
