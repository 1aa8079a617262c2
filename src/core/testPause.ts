/**
 * TEST-ONLY: a pause between reading and writing, so that tests can make two real processes meet
 * exactly where a race would hurt, every time, instead of hoping the scheduler does it. Nothing
 * happens unless one of these variables is set, which only tests do:
 *
 *   TRUCE_TEST_PAUSE_BEFORE_WRITE_MS=N   sleep N ms at each pause point
 *   TRUCE_TEST_PAUSE_DIR=DIR             create DIR/<point>.<pid>, then wait until DIR/go (every
 *                                        point) or DIR/go.<point> (this one) exists (the test sees
 *                                        who arrived and decides when they go on)
 *
 * Both are read from the process environment: the point is to steer separate processes.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How long a process waits at a barrier before it gives up and goes on (a test that forgot it). */
const BARRIER_LIMIT_MS = 120_000;

export async function testPause(point: string): Promise<void> {
  const ms = Number(process.env.TRUCE_TEST_PAUSE_BEFORE_WRITE_MS);
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  const dir = process.env.TRUCE_TEST_PAUSE_DIR;
  if (!dir) return;
  writeFileSync(join(dir, `${point}.${process.pid}`), '');
  const until = Date.now() + BARRIER_LIMIT_MS;
  while (!existsSync(join(dir, 'go')) && !existsSync(join(dir, `go.${point}`)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
