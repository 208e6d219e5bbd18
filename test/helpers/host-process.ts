// Stands in for the extension host in a process of its own: starts a run the way RunController does (settings
// → launchOptionsFor → launchRunner, owned by a RunSlot), prints the runner's PID, then ends the way it is told
// on stdin, as a window close ends the real extension host:
//   "dispose-exit": deactivation (RunSlot.dispose, as context.subscriptions are disposed), then process.exit
//   "exit":         process.exit without deactivation (the host ends before or instead of deactivating)
// Usage: node --import tsx test/helpers/host-process.ts <script>
import * as path from 'node:path';
import { launchRunner } from '../../src/host/launch.ts';
import { RunSlot } from '../../src/extension/logic/runSlot.ts';
import { DEFAULT_SETTINGS, launchOptionsFor } from '../../src/extension/logic/settings.ts';

const script = process.argv[2];
const ROOT = path.resolve(__dirname, '..', '..');
const slot = new RunSlot<string>();
const request = { kind: 'script' as const, target: script, args: [], cwd: path.dirname(script) };
const opts = launchOptionsFor(request, DEFAULT_SETTINGS, { execPath: process.execPath, env: process.env, distDir: path.join(ROOT, 'dist') });

void slot.start(async () => false, () => {
  const handle = launchRunner({
    ...opts,
    onOutput: (chunk) => process.stdout.write(chunk),
    onEvent: (e) => {
      if (e.type === 'run-start') process.stdout.write(`RUNNER ${handle.pid}\n`);
    },
  });
  slot.hold(script, handle, () => undefined);
});

process.stdin.setEncoding('utf8').on('data', (command: string) => {
  if (command.includes('dispose-exit')) {
    slot.dispose();
    process.exit(0);
  } else if (command.includes('exit')) {
    process.exit(0);
  }
});
