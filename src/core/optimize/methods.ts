/**
 * The credit methods the optimizer can run, by name: TRUCE, temporal + structural BCD and GBC.
 * `extraMethods` replaces or adds factories (tests hand in scripted or configured methods).
 * A factory is called once per optimization run, so a method's state (BCD's EMA) lasts the run;
 * on resume it is handed the state the last committed round published (`details.state` of its
 * credit report), so the method continues where it stopped. A method without state ignores it.
 */
import { bcdStateFromDetails, createBcdMethod } from '../credit/bcd';
import { createGbcMethod } from '../credit/gbc';
import { createTruceMethod, type TruceOptions } from '../credit/truce';
import type { CreditMethod, MethodName } from './types';

export interface MethodResume {
  /** `details.state` of the last committed round's credit report, as stored (unvalidated JSON). */
  state?: unknown;
}

export type MethodFactory = (resume?: MethodResume) => CreditMethod;

/** BCD's carried state, when what was stored reads as one (anything else starts afresh). */
function bcdFactory(resume?: MethodResume): CreditMethod {
  const state = resume?.state !== undefined ? bcdStateFromDetails({ state: resume.state }) : undefined;
  return createBcdMethod(state ? { state } : {});
}

export function methodRegistry(extraMethods: Partial<Record<MethodName, MethodFactory>> = {}, truce: TruceOptions = {}): Partial<Record<MethodName, MethodFactory>> {
  return { truce: () => createTruceMethod(truce), bcd: bcdFactory, gbc: () => createGbcMethod(), ...extraMethods };
}

export class UnknownMethodError extends Error {}

export function resolveMethod(name: MethodName, registry: Partial<Record<MethodName, MethodFactory>>, resume?: MethodResume): CreditMethod {
  const factory = registry[name];
  if (!factory) {
    const known = Object.keys(registry).sort().join(', ');
    throw new UnknownMethodError(`The credit method "${name}" is not available in this build (available: ${known}).`);
  }
  return factory(resume);
}
