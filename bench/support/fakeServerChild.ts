/**
 * Runs the fake OpenAI server in a process of its own, so that its CPU (HTTP parsing, JSON, timers)
 * is not charged to the client a benchmark measures. Forked by fakeServerProcess.ts with an IPC
 * channel: it reports its URL once listening, answers stats requests, and exits when the parent
 * asks it to close or goes away.
 *
 *   (forked) node out/bench/support/fakeServerChild.js '{"responder":"rollouts","baseLatencyMs":100}'
 */
import { performance } from 'node:perf_hooks';
import { start, type Responder } from '../../test/support/fakeOpenAiServer';
import type { ChildServerOptions, ChildStats, ChildToParent, ParentToChild } from './fakeServerMessages';
import { rolloutsResponder, type RolloutReply } from './rolloutsResponder';

function send(message: ChildToParent): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('fakeServerChild must be forked with an IPC channel (see fakeServerProcess.ts)');
  const options = JSON.parse(process.argv[2] ?? '{}') as ChildServerOptions;
  const replies: RolloutReply[] = [];
  const responders: Record<ChildServerOptions['responder'], Responder> = {
    rollouts: rolloutsResponder((reply) => replies.push(reply)),
  };
  const responder = responders[options.responder];
  if (!responder) throw new Error(`unknown responder ${JSON.stringify(options.responder)}`);
  const server = await start({ baseLatencyMs: options.baseLatencyMs, responder });
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();

  let closing = false;
  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.on('message', (message: ParentToChild) => {
    if (message.type === 'close') void close();
    if (message.type === 'stats') {
      const used = process.cpuUsage(cpu);
      const stats: ChildStats = {
        maxInFlight: server.stats.maxInFlight,
        chatRequests: server.chatRequests().length,
        replies,
        cpuMicros: used.user + used.system,
        eventLoopUtilization: performance.eventLoopUtilization(elu).utilization,
      };
      send({ type: 'stats', id: message.id, stats });
    }
  });
  // The parent exited or crashed: nothing will ever ask for this server again.
  process.on('disconnect', () => void close());
  send({ type: 'ready', url: server.url });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: (error as Error).stack ?? String(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
