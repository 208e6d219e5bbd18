// The runner: a child process that runs the user's training script unchanged, with tfjs instrumented from the
// moment the script loads it, and streams RunnerEvents to its parent over a private pipe (eventChannel.ts).
// Usage (by launchRunner only; the arguments are src/protocol/channel.ts's RunnerArgs):
//   node runner.js <options-json> <script> [script args...]
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultIsInternal } from '../engine/callSites.ts';
import { seededRandom } from '../engine/probeEnvironment.ts';
import type { SavedModelProbe } from '../engine/savedModel/probeModel.ts';
import { UsageError } from '../model/errors.ts';
import type { RunnerArgs } from '../protocol/channel.ts';
import { channelWriter } from './eventChannel.ts';
import { isEsm } from './inputs.ts';
import { moduleInternals } from './moduleInternals.ts';
import { watchParent } from './parentWatchdog.ts';
import { RunEnding, type RunnerState } from './runEnding.ts';
import { setUpRun } from './setup.ts';

const debuggerRoot = path.resolve(__dirname, '..');
const isInternal = (file: string) => defaultIsInternal(file) || file.startsWith(debuggerRoot + path.sep + 'dist') ||
  file.includes(`${path.sep}node_modules${path.sep}sucrase${path.sep}`);

const send = channelWriter();

/** Runs the saved model's probe; a model that cannot be probed is refused as input. */
async function probeSavedModel(savedModel: SavedModelProbe, ending: RunEnding, script: string): Promise<void> {
  Math.random = seededRandom(1);
  try {
    await savedModel.run();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    ending.refuse(e.message, e.file || script, e.line);
  }
}

/** Runs the user's script as node would: with its own argv, as an ES module or as the main CommonJS module. */
async function runScript(script: string, scriptArgs: string[]): Promise<void> {
  process.argv = [process.argv[0], script, ...scriptArgs];
  if (isEsm(script)) {
    await import(pathToFileURL(script).href);
  } else {
    // runMain sets require.main, so `if (require.main === module)` scripts run as they would under node.
    moduleInternals.runMain(script);
  }
}

async function main(): Promise<void> {
  watchParent();
  const [optionsJson, scriptArg, ...scriptArgs] = process.argv.slice(2);
  const args = JSON.parse(optionsJson) as RunnerArgs;
  const script = path.resolve(scriptArg);
  const state: RunnerState = { core: null, instrumentation: null, tensorsAtStart: 0, layersSeen: new Map(), debuggerWasm: false };
  const ending = new RunEnding(send, script, isInternal, state);
  onFatal = (e) => ending.fail(e, 1);
  ending.installProcessHooks();

  let savedModel: SavedModelProbe | null;
  try {
    savedModel = await setUpRun({ args, script, scriptArgs, debuggerRoot, isInternal, send, state, ending });
  } catch (e) {
    if (e instanceof UsageError) ending.refuse(e.message, e.file || script, e.line);
    else ending.internalFailure(e);
    return;
  }
  if (savedModel) await probeSavedModel(savedModel, ending, script);
  else await runScript(script, scriptArgs);
}

/** Until main has set up its own ending: a failure is printed and the runner exits. */
let onFatal: (error: unknown) => void = (error) => {
  console.error(error);
  process.exit(1);
};

main().catch((e) => onFatal(e));
