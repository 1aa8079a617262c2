/**
 * The one place that knows every credit method: TRUCE, temporal + structural BCD and GBC, by name.
 * It sits above both the methods (src/core/credit/*) and the optimizer loop (src/core/optimize),
 * which sees only the method interface and the registry it is handed. `extraMethods` replaces or
 * adds factories (tests and benchmarks hand in scripted or configured methods).
 */
import { bcdStateFromDetails, createBcdMethod } from './credit/bcd';
import { createGbcMethod } from './credit/gbc';
import type { MethodRegistry, MethodResume } from './credit/resolveMethod';
import { createTruceMethod, type TruceOptions } from './credit/truce';
import type { CreditMethod } from './credit/types';

/** BCD's carried state, when what was stored reads as one (anything else starts afresh). */
function bcdFactory(resume?: MethodResume): CreditMethod {
  const state = resume?.state !== undefined ? bcdStateFromDetails({ state: resume.state }) : undefined;
  return createBcdMethod(state ? { state } : {});
}

export function methodRegistry(extraMethods: MethodRegistry = {}, truce: TruceOptions = {}): MethodRegistry {
  return { truce: () => createTruceMethod(truce), bcd: bcdFactory, gbc: () => createGbcMethod(), ...extraMethods };
}
