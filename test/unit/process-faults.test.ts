// Process faults through the CLI, as a user (or CI) meets them: signals to tfjs-debug, a script that talks on
// process.send, fast exits after large models, huge error messages, process.exitCode, paths with parentheses,
// symlinked scripts, two tfjs copies, report paths that would destroy an input, terminal escapes in names, and
// the option values that used to go wrong. Each case writes its row of docs/RELIABILITY.md.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { RunReport } from '../../src/protocol/report.ts';
import { BIN, ROOT, runCli, SCRIPTS } from '../helpers/cli.ts';
import { clip, ReliabilitySection, secondsSince } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('faults');
/** Scripts that need the project's tfjs live under the repository; the others in a folder with no node_modules. */
const inRepo = mkdtempSync(path.join(ROOT, 'test', '.tmp-faults-'));
const outside = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-faults-'));
process.on('exit', () => spawnSync('rm', ['-rf', inRepo]));

function script(dir: string, name: string, source: string): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  return file;
}

const TRAIN = `const tf = require('@tensorflow/tfjs');
const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] }), tf.layers.batchNormalization()] });
model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
`;

/** Starts the CLI, waits for `ready` on the script's stdout, sends `signal`, and collects the outcome. */
async function signalled(file: string, signal: NodeJS.Signals, jsonFile: string, htmlFile: string) {
  const child = spawn(process.execPath, [BIN, 'run', file, '--quiet', '--json', jsonFile, '--html', htmlFile], { cwd: path.dirname(file), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const ready = new Promise<void>((resolve) => child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    if (stdout.includes('ready')) resolve();
  }));
  child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await ready;
  child.kill(signal);
  const code = await closed;
  const report = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) as RunReport : null;
  return { code, stdout, stderr, report, html: existsSync(htmlFile) };
}

const LOOPING = `${TRAIN}
(async () => {
  await model.fit(tf.ones([4, 3]), tf.ones([4, 2]), { epochs: 1, verbose: 0 });
  console.log('ready');
  setInterval(() => {}, 1000);
})();
`;

for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  doc.test(`${signal} to tfjs-debug: the script gets it, every report is written, exit ${code}`, async () => {
    const started = Date.now();
    const file = script(inRepo, `${signal}.js`, LOOPING);
    const r = await signalled(file, signal, path.join(outside, `${signal}.json`), path.join(outside, `${signal}.html`));
    assert.equal(r.code, code, r.stdout + r.stderr);
    assert.ok(r.html, 'the HTML report was written');
    assert.equal(r.report?.status, 'cancelled');
    assert.equal(r.report?.gradientCallCount, 1, 'the gradient call made before the signal is kept');
    assert.match(r.report?.error?.message ?? '', new RegExp(`Stopped by ${signal}`));
    assert.match(r.stdout, /TF\.js Model Debugger .* cancelled/);
    return { tried: 1, result: `exit ${r.code}, text, JSON and HTML reports written, status ${r.report?.status}, ${r.report?.gradientCallCount} gradient call kept (${secondsSince(started)})`, lost: 'nothing' };
  }, { caseName: `${signal} to tfjs-debug (timeout, CI cancellation, docker stop, a closed terminal)` });
}

doc.test('Ctrl-C (SIGINT): a script that saves a checkpoint on SIGINT saves it, as under plain node', async () => {
  const started = Date.now();
  const checkpoint = path.join(outside, 'checkpoint.txt');
  const file = script(inRepo, 'checkpoint.js', `${TRAIN}
process.on('SIGINT', () => { require('fs').writeFileSync(${JSON.stringify(checkpoint)}, 'saved'); process.exit(0); });
(async () => {
  await model.fit(tf.ones([4, 3]), tf.ones([4, 2]), { epochs: 1, verbose: 0 });
  console.log('ready');
  setInterval(() => {}, 1000);
})();
`);
  const r = await signalled(file, 'SIGINT', path.join(outside, 'int.json'), path.join(outside, 'int.html'));
  assert.equal(r.code, 130);
  assert.equal(readFileSync(checkpoint, 'utf8'), 'saved', "the script's SIGINT handler ran");
  assert.equal(r.report?.exitCode, 0, "the script's own exit status is in the report");
  assert.ok(r.html);
  return { tried: 1, result: `exit ${r.code}; the script's handler saved its checkpoint and exited ${r.report?.exitCode}; reports written (${secondsSince(started)})`, lost: 'nothing: the checkpoint is saved' };
}, { caseName: 'Ctrl-C (SIGINT) to a script that saves a checkpoint on SIGINT' });

doc.test('process.send, process.disconnect and the IPC channel are as under plain node', () => {
  const started = Date.now();
  const file = script(inRepo, 'ipc.js', `${TRAIN}
console.log('send', typeof process.send, 'disconnect', typeof process.disconnect, 'connected', process.connected);
if (process.send) { process.send({ type: 'layers', count: 3 }); process.send({ type: 'error' }); process.send({ type: 'run-end' }); }
tf.variableGrads(() => tf.sum(model.apply(tf.ones([2, 3]), { training: true })));
`);
  const plain = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  const r = runCli(['run', file, '--quiet']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const line = (out: string) => /send .*/.exec(out)?.[0];
  assert.equal(line(r.stdout), line(plain.stdout));
  assert.equal(line(r.stdout), 'send undefined disconnect undefined connected undefined');
  assert.equal(r.report?.gradientCallCount, 1);
  return { tried: 1, result: `"${line(r.stdout)}" under both; exit ${r.code}, 1 gradient call (${secondsSince(started)})`, lost: 'nothing: the runner\'s events travel on a private pipe' };
}, { caseName: 'a script that uses process.send / process.disconnect' });

doc.test('process.exit(0) right after training a 1,000-layer model: every gradient call kept', () => {
  const started = Date.now();
  const file = script(inRepo, 'wide-exit.js', `const tf = require('@tensorflow/tfjs');
const layers = [tf.layers.dense({ units: 2, inputShape: [2] })];
for (let i = 1; i < 1000; i++) layers.push(tf.layers.dense({ units: 2 }));
const model = tf.sequential({ layers });
model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
model.fit(tf.ones([2, 2]), tf.ones([2, 2]), { epochs: 2, batchSize: 2, verbose: 0 }).then(() => process.exit(0));
`);
  const r = runCli(['run', file, '--quiet', '--probe-every', '0']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.report?.status, 'completed');
  assert.equal(r.report?.gradientCalls.length, 2);
  assert.ok((r.report?.layers.length ?? 0) >= 1000);
  return { tried: 1, result: `exit ${r.code}, ${r.report?.status}, ${r.report?.gradientCalls.length} of 2 gradient calls and ${r.report?.layers.length} layers kept (${secondsSince(started)})`, lost: 'nothing: events are written synchronously' };
}, { caseName: 'process.exit(0) right after training a 1,000-layer model' });

doc.test('an Error with a 200 KB message: cut, with its file and line kept', () => {
  const started = Date.now();
  const file = script(outside, 'huge-error.js', "const detail = 'x'.repeat(200000);\nthrow new Error('bad batch ' + detail);\n");
  const r = runCli(['run', file, '--quiet']);
  assert.equal(r.code, 1);
  assert.match(r.report?.error?.message ?? '', /^bad batch x+… \(\d+ more characters cut\)$/);
  assert.equal(r.report?.error?.line, 2);
  assert.equal(r.report?.error?.file, file);
  return { tried: 1, result: `exit ${r.code}, message cut to ${r.report?.error?.message.length} characters, at line ${r.report?.error?.line} (${secondsSince(started)})`, lost: 'only the message past 16,000 characters' };
}, { caseName: 'an Error whose message is 200 KB' });

doc.test('process.exitCode = 2: tfjs-debug exits 2 and says the script failed', () => {
  const started = Date.now();
  const file = script(outside, 'exitcode.js', "console.log('validation failed');\nprocess.exitCode = 2;\n");
  const r = runCli(['run', file, '--quiet']);
  assert.equal(r.code, 2);
  assert.equal(r.report?.status, 'failed');
  assert.equal(r.report?.exitCode, 2);
  assert.equal(r.report?.error?.kind, 'script');
  assert.match(r.stdout, /failed \(exit code 2\)/);
  const exit3 = runCli(['run', path.join(SCRIPTS, 'exits.js'), '--quiet']);
  assert.equal(exit3.code, 3);
  return { tried: 2, result: `exitCode = 2: exit ${r.code}, "${r.report?.error?.message}"; process.exit(3): exit ${exit3.code} (${secondsSince(started)})`, lost: 'nothing: CI sees the failure' };
}, { caseName: 'process.exitCode = 2, and process.exit(3)' });

doc.test('parentheses in the path: every source location kept', () => {
  const started = Date.now();
  const file = script(inRepo, path.join('proj (v2)', 'train (copy).js'), `${TRAIN}tf.variableGrads(() => tf.sum(model.apply(tf.ones([2, 3]), { training: true })));\n`);
  const r = runCli(['run', file, '--quiet']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const layer = r.report?.layers.find((l) => l.className === 'Dense');
  assert.equal(layer?.source?.file, file);
  assert.equal(layer?.source?.line, 2);
  assert.equal(r.report?.gradientCalls[0].source?.file, file);
  return { tried: 1, result: `exit ${r.code}; layers and the gradient call located in "proj (v2)/train (copy).js" (${secondsSince(started)})`, lost: 'nothing' };
}, { caseName: 'parentheses in the path (proj (v2)/train (copy).js)' });

doc.test('a symlinked script resolves tfjs from its real folder, as node does', () => {
  const started = Date.now();
  const file = script(inRepo, 'real/train.js', `${TRAIN}tf.variableGrads(() => tf.sum(model.apply(tf.ones([2, 3]), { training: true })));\nconsole.log('backend', tf.getBackend());\n`);
  const link = path.join(outside, 'linked-train.js');
  symlinkSync(file, link);
  const plain = spawnSync(process.execPath, [link], { encoding: 'utf8' });
  const r = runCli(['run', link, '--quiet'], { cwd: outside });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.report?.tfjs?.source, 'workspace');
  assert.equal(/backend \w+/.exec(r.stdout)?.[0], /backend \w+/.exec(plain.stdout)?.[0]);
  assert.equal(r.report?.layers.filter((l) => !l.isContainer).length, 2);
  return { tried: 1, result: `tfjs ${r.report?.tfjs?.source} (the project's, as under node), ${r.report?.layers.filter((l) => !l.isContainer).length} layers, same backend as plain node (${secondsSince(started)})`, lost: 'nothing' };
}, { caseName: 'a symlinked script (tfjs looked up from the real folder)' });

doc.test('two tfjs copies in one script: a warning names the copy that is not instrumented', () => {
  const started = Date.now();
  const dir = path.join(inRepo, 'two-copies');
  const copy = path.join(dir, 'node_modules', '@tensorflow', 'tfjs-core');
  const from = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-core');
  const manifest = JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8'));
  mkdirSync(path.join(copy, 'dist'), { recursive: true });
  writeFileSync(path.join(copy, 'package.json'), JSON.stringify(manifest));
  writeFileSync(path.join(copy, manifest.main), readFileSync(path.join(from, manifest.main)));
  const file = script(dir, 'train.js', `const own = require('@tensorflow/tfjs-core');
const other = require(${JSON.stringify(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs'))});
console.log('copies', own === other ? 1 : 2);
`);
  const r = runCli(['run', file, '--quiet']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /copies 2/);
  assert.ok(r.report?.logs.some((l) => l.includes('a second copy of tfjs-core was loaded') && l.includes(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-core'))), r.report?.logs.join('\n'));
  assert.match(r.stdout.replace(/\s+/g, ' '), /Warning: a second copy of tfjs-core was loaded/);
  return { tried: 1, result: `exit ${r.code}; warning in the report and the text: "${clip(r.report?.logs.find((l) => l.includes('second copy'))?.replaceAll(ROOT, '<repo>'), 100)}" (${secondsSince(started)})`, lost: 'nothing silently: the user is told which copy is not recorded' };
}, { caseName: 'two tfjs copies loaded by one script' });

doc.test('report paths that would destroy an input or cannot be written: refused before the run', () => {
  const started = Date.now();
  const marker = path.join(outside, 'ran.txt');
  const file = script(outside, 'guarded.js', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  const before = readFileSync(file, 'utf8');
  const model = path.join(ROOT, 'test', 'fixtures', 'models', 'bn-dropout', 'model.json');
  const cases: [string[], RegExp][] = [
    [['run', file, '--json', file], /would overwrite an input of the run/],
    [['probe', model, '--html', model], /would overwrite an input of the run/],
    [['probe', model, '--json', path.join(path.dirname(model), 'weights.bin')], /would overwrite an input of the run/],
    [['run', file, '--json', '/dev/full'], /not a regular file/],
    [['run', file, '--json', outside], /is a directory/],
    [['run', file, '--html', path.join(outside, 'no', 'such', 'r.html')], /folder .* does not exist/],
    [['run', file, '--json', ''], /needs a file name/],
    [['run', file, '--json', '-', '--html', '-'], /Only one report can go to stdout/],
  ];
  for (const [args, pattern] of cases) {
    const r = runCli(args, { json: false });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  assert.equal(readFileSync(file, 'utf8'), before, 'the script is untouched');
  assert.equal(existsSync(marker), false, 'nothing ran');
  assert.ok(statSync(model).size > 1000);
  return { tried: cases.length, result: `exit 2 each, before the run: over the script, the model, a shard; /dev/full; a directory; a missing folder; ''; two reports on stdout (${secondsSince(started)})`, lost: 'nothing: no input overwritten, nothing ran' };
}, { caseName: 'report paths: the script, model.json, a shard, /dev/full, a directory, a missing folder, empty, - twice' });

doc.test('--json -: the JSON report on stdout, the script\'s output and the text report on stderr', () => {
  const started = Date.now();
  const file = script(outside, 'prints.js', "console.log('hello from the script');\n");
  const r = spawnSync(process.execPath, [BIN, 'run', file, '--json', '-', '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as RunReport;
  assert.equal(report.status, 'completed');
  assert.match(r.stderr, /hello from the script/);
  assert.match(r.stderr, /TF\.js Model Debugger/);
  return { tried: 1, result: `exit ${r.status}; stdout parses as the JSON report; the script's line and the text report on stderr (${secondsSince(started)})`, lost: 'nothing' };
}, { caseName: '--json - (the report on stdout)' });

doc.test('terminal escapes in layer names, shard names and errors are shown, not obeyed', () => {
  const started = Date.now();
  const raw = (out: string) => out.includes('\u001b') || out.includes('\u0007');
  const layer = script(inRepo, 'escapes.js', `const tf = require('@tensorflow/tfjs');
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], name: 'evil\\u001b]0;pwned\\u0007\\u001b[2J' })] });
tf.variableGrads(() => tf.sum(model.apply(tf.ones([2, 1]))));
`);
  const thrown = script(outside, 'escapes-error.js', "throw new Error('boom \\u001b]52;c;Y2xpcGJvYXJk\\u0007');\n");
  const dir = mkdtempSync(path.join(outside, 'model-'));
  const model = JSON.parse(readFileSync(path.join(ROOT, 'test', 'fixtures', 'models', 'bn-dropout', 'model.json'), 'utf8'));
  model.weightsManifest[0].paths = ['\u001b[2J\u001b]0;title\u0007.bin'];
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(model));
  const runs = [runCli(['run', layer, '--quiet']), runCli(['run', thrown, '--quiet']), runCli(['probe', path.join(dir, 'model.json'), '--quiet'])];
  for (const r of runs) assert.ok(!raw(r.stdout) && !raw(r.stderr), 'no raw escape or bell reaches the terminal');
  assert.match(runs[0].stdout, /evil\\x1b\]0;pwned\\x07\\x1b\[2J/);
  assert.match(runs[1].stdout.replace(/\s+/g, ' '), /boom \\x1b\]52;c;/);
  assert.match(runs[2].stdout, /\\x1b\[2J\\x1b\]0;title\\x07\.bin/);
  return { tried: runs.length, result: `a layer named ESC ]0;…BEL ESC [2J, an error with ESC ]52 (clipboard) and a shard named ESC [2J: exits ${runs.map((r) => r.code).join(', ')}, each printed as \\x1b… text (${secondsSince(started)})`, lost: 'nothing: the terminal is untouched' };
}, { caseName: 'terminal escapes in a layer name, an error message and a shard name' });

doc.test('option values: --timeout 2147484, -1, --memory 32.5, a script named -train.js', () => {
  const started = Date.now();
  const file = script(outside, 'quick.js', "console.log('quick');\n");
  const long = runCli(['run', file, '--timeout', '2147484', '--quiet']);
  assert.equal(long.code, 0, long.stdout + long.stderr);
  assert.equal(long.report?.status, 'completed');
  const negative = runCli(['run', file, '--timeout', '-1'], { json: false });
  assert.equal(negative.code, 2);
  assert.match(negative.stderr, /--timeout takes a number of at least 0, not "-1"/);
  const fraction = runCli(['run', file, '--memory', '32.5'], { json: false });
  assert.equal(fraction.code, 2);
  assert.match(fraction.stderr, /--memory takes a whole number/);
  const dashed = runCli(['run', '-train.js'], { json: false });
  assert.equal(dashed.code, 2);
  assert.match(dashed.stderr, /Name the file as \.\/-train\.js/);
  return { tried: 4, result: `--timeout 2147484: ${long.report?.status}; -1: "${clip(negative.stderr.trim(), 60)}"; 32.5: exit ${fraction.code}; -train.js: "${clip(dashed.stderr.trim(), 70)}" (${secondsSince(started)})`, lost: 'nothing' };
}, { caseName: 'option values: a timeout past 24.8 days, a negative timeout, a fractional --memory, a file named -train.js' });

doc.test('| head -1: no EPIPE stack when the reader goes away', async () => {
  const started = Date.now();
  const file = script(outside, 'chatty.js', "for (let i = 0; i < 2000; i++) console.log('line ' + i);\n");
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" run "${file}" --quiet | head -1`], { encoding: 'utf8' });
  assert.equal(r.stdout, 'line 0\n');
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  return { tried: 1, result: `first line shown, stderr ${r.stderr.trim() ? JSON.stringify(clip(r.stderr, 60)) : 'empty'} (${secondsSince(started)})`, lost: 'nothing' };
}, { caseName: 'tfjs-debug … | head -1' });

doc.test('--timeout ends a detached grandchild too', () => {
  const started = Date.now();
  const pidFile = path.join(outside, 'grandchild.pid');
  const file = script(outside, 'detached.js', `const { spawn } = require('child_process');
const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
c.unref();
require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
setInterval(() => {}, 1000);
`);
  const r = runCli(['run', file, '--timeout', '2', '--quiet']);
  assert.equal(r.code, 4);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  let alive = true;
  for (let i = 0; i < 50 && alive; i++) {
    try {
      process.kill(pid, 0);
      spawnSync('sleep', ['0.1']);
    } catch {
      alive = false;
    }
  }
  if (alive) process.kill(pid, 'SIGKILL');
  assert.equal(alive, false, 'the detached grandchild was ended');
  return { tried: 1, result: `exit ${r.code}; the detached grandchild (its own session) is gone (${secondsSince(started)})`, lost: 'nothing left running' };
}, { caseName: 'a detached grandchild and --timeout' });

doc.test('--memory bounds the wasm heap too', () => {
  const started = Date.now();
  const file = script(outside, 'wasm-hog.js', "const tf = require('@tensorflow/tfjs');\nconst xs = [];\nfor (let i = 0; i < 100; i++) xs.push(tf.zeros([64, 1024, 1024]));\n");
  const r = runCli(['run', file, '--memory', '256', '--quiet']);
  assert.equal(r.code, 1);
  assert.equal(r.report?.tfjs?.backend, 'wasm');
  assert.match(r.report?.error?.message ?? '', /The wasm backend ran out of memory: .* limit of 256 MB/);
  assert.equal(r.report?.error?.line, 3);
  return { tried: 1, result: `exit ${r.code}, "${clip(r.report?.error?.message, 80)}" at line ${r.report?.error?.line} (${secondsSince(started)})`, lost: 'nothing: the machine kept its memory' };
}, { caseName: '--memory 256 and the bundled wasm backend' });

doc.test('a syntax error in an imported helper.ts is located in helper.ts', () => {
  const started = Date.now();
  const dir = path.join(outside, 'ts-project');
  script(dir, 'helper.ts', 'export const rate: number = ;\n');
  const main = script(dir, 'main.ts', "import { rate } from './helper';\nconsole.log(rate);\n");
  const r = runCli(['run', main, '--quiet']);
  assert.equal(r.code, 1);
  assert.equal(r.report?.error?.file, path.join(dir, 'helper.ts'));
  assert.equal(r.report?.error?.line, 1);
  return { tried: 1, result: `exit ${r.code}, at helper.ts:${r.report?.error?.line} (${secondsSince(started)})`, lost: 'nothing' };
}, { caseName: 'a syntax error in an imported helper.ts' });

doc.test("require('@tensorflow/tfjs-node') without it installed fails as under node, with a hint", () => {
  const started = Date.now();
  const file = script(outside, 'node-backend.js', "const tf = require('@tensorflow/tfjs-node');\nconsole.log(tf.version);\n");
  const r = runCli(['run', file, '--quiet']);
  assert.equal(r.code, 1);
  assert.match(r.report?.error?.message ?? '', /needs the npm package @tensorflow\/tfjs-node, which is not installed.*bundles @tensorflow\/tfjs/);
  assert.equal(r.report?.error?.line, 1);
  return { tried: 1, result: `exit ${r.code}, "${clip(r.report?.error?.message, 100)}" (${secondsSince(started)})`, lost: 'nothing' };
}, { caseName: "require('@tensorflow/tfjs-node') when it is not installed" });
