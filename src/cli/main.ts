/** The `truce` executable: wires process streams and signals to runCli. */
import { askOnTerminal } from './askOnTerminal';
import { runCli } from './runCli';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('\ntruce: stopping (press Ctrl-C again to force)…\n');
  controller.abort();
});

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
  ...(process.stdin.isTTY ? { confirm: askOnTerminal } : {}),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`truce: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
