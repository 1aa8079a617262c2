/**
 * The shape every fuzz target shares, so the fast slice in `npm test` and `bench/fuzz.ts` check the
 * same properties on the same generators and differ only in how many cases they draw.
 */
import type fc from 'fast-check';

/** A property violation found on one input (an uncaught exception is counted separately). */
export interface Finding {
  kind: 'internal-failure' | 'error-without-location' | 'out-of-range' | 'invalid-output' | 'wrong-value';
  message: string;
}

export interface FuzzTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Checks one input; throwing means the code under test threw (a crash). */
  check(input: T): Finding[] | Promise<Finding[]>;
  /** A short, printable form of an input, for reports. */
  show(input: T): string;
}

export function finding(kind: Finding['kind'], message: string): Finding {
  return { kind, message };
}

/** Whether a value is a usable 0-based position component. */
export function isPosition(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}
