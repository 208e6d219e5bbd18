// Ends the runner when the process that started it is gone. The runner leads its own process group
// (launch.ts forks it detached, so Stop can kill the script's children with it), so nothing takes it down
// when the extension host or the CLI dies by a signal. The check runs on a worker thread: the user's script
// may hold the main thread in a synchronous loop for ever. When the parent PID changes (the runner was
// re-parented), the worker kills the runner's whole group.
import { Worker } from 'node:worker_threads';

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { ppid, group, intervalMs } = workerData;
setInterval(() => {
  if (process.ppid === ppid) return;
  try { process.kill(-group, 'SIGKILL'); } catch { process.kill(group, 'SIGKILL'); }
}, intervalMs);
`;

export function watchParent(intervalMs = 250): void {
  if (process.platform === 'win32' || process.ppid <= 1) return;
  // The runner is its group's leader when launched detached; otherwise only the runner itself is ended.
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { ppid: process.ppid, group: process.pid, intervalMs } });
  worker.unref();
  worker.on('error', () => undefined);
}
