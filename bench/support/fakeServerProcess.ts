/**
 * Starts the fake OpenAI server in a child process (fakeServerChild.ts) for benchmarks whose
 * subject is the client: in one process the server's own CPU per request (~1–1.5 ms here) competes
 * with the client for the event loop and shows up as client latency. The child is the bundled
 * out/bench/support/fakeServerChild.js, which `node scripts/build.mjs --bench` builds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildServerOptions, ChildStats, ChildToParent, ParentToChild } from './fakeServerMessages';

export interface FakeServerProcess {
  url: string;
  pid: number;
  stats(): Promise<ChildStats>;
  /** Stops the server and waits for the child to exit. */
  close(): Promise<void>;
}

/**
 * This module is bundled into the benchmark that imports it, so __dirname is that bundle's folder
 * (out/bench or a subfolder of it); the child bundle is at out/bench/support/fakeServerChild.js.
 */
function childScript(): string {
  const candidates = [join(__dirname, 'support', 'fakeServerChild.js'), join(__dirname, 'fakeServerChild.js'), join(__dirname, '..', 'support', 'fakeServerChild.js')];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`fakeServerChild.js not found next to ${__dirname}; run node scripts/build.mjs --bench`);
  return found;
}

export function startFakeServerProcess(options: ChildServerOptions): Promise<FakeServerProcess> {
  const child: ChildProcess = fork(childScript(), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (stats: ChildStats) => void>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the fake server process exited before it was ready (code ${code}, signal ${signal})`)));
    child.on('message', (message: ChildToParent) => {
      if (message.type === 'error') reject(new Error(`fake server process: ${message.message}`));
      if (message.type === 'stats') {
        pending.get(message.id)?.(message.stats);
        pending.delete(message.id);
      }
      if (message.type !== 'ready') return;
      resolve({
        url: message.url,
        pid: child.pid ?? -1,
        stats: () =>
          new Promise((answer, fail) => {
            const id = nextId++;
            pending.set(id, answer);
            const request: ParentToChild = { type: 'stats', id };
            child.send(request, (error) => {
              if (error) fail(error);
            });
          }),
        close: async () => {
          if (child.exitCode === null && child.signalCode === null && child.connected) {
            const request: ParentToChild = { type: 'close' };
            child.send(request);
          }
          await exited;
        },
      });
    });
  });
}
