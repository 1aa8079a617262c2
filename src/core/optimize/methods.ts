/**
 * The credit methods the optimizer can run, by name: TRUCE, temporal + structural BCD and GBC.
 * `extraMethods` replaces or adds factories (tests hand in scripted or configured methods).
 * A factory is called once per optimization run, so a method's state (BCD's EMA) lasts the run.
 */
import { createBcdMethod } from '../credit/bcd';
import { createGbcMethod } from '../credit/gbc';
import { createTruceMethod, type TruceOptions } from '../credit/truce';
import type { CreditMethod, MethodName } from './types';

export type MethodFactory = () => CreditMethod;

export function methodRegistry(extraMethods: Partial<Record<MethodName, MethodFactory>> = {}, truce: TruceOptions = {}): Partial<Record<MethodName, MethodFactory>> {
  return { truce: () => createTruceMethod(truce), bcd: () => createBcdMethod(), gbc: () => createGbcMethod(), ...extraMethods };
}

export class UnknownMethodError extends Error {}

export function resolveMethod(name: MethodName, registry: Partial<Record<MethodName, MethodFactory>>): CreditMethod {
  const factory = registry[name];
  if (!factory) {
    const known = Object.keys(registry).sort().join(', ');
    throw new UnknownMethodError(`The credit method "${name}" is not available in this build (available: ${known}).`);
  }
  return factory();
}
