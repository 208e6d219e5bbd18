// Bad inputs: each gets its exit code and one clear message that names the file, and the next run works.
// Each case writes its row of docs/RELIABILITY.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lineOf, ROOT, runCli, SCRIPTS, type CliResult } from '../helpers/cli.ts';
import { clip, ReliabilitySection, secondsSince, type Outcome } from '../helpers/reliability.ts';

const doc = new ReliabilitySection('inputs');

/** The row of a case: the exit code and the message the user saw, then whether the next run works. */
function outcome(r: CliResult, started: number, message = r.report?.error?.message): Outcome {
  const where = r.report?.error?.line ? ` at line ${r.report.error.line}` : '';
  const took = secondsSince(started);
  const next = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), '--quiet']);
  assert.equal(next.code, 0, 'the next run works');
  return {
    tried: 1,
    result: `exit ${r.code}, "${clip(message?.replace(ROOT, '<repo>'), 80)}"${where} (${took})`,
    lost: `nothing: the next run exits ${next.code} with ${next.report?.gradientCalls.length} gradient call`,
  };
}

doc.test('a missing file: exit 2, naming the file', () => {
  const started = Date.now();
  const missing = path.join(ROOT, 'no-such-script.js');
  const r = runCli(['run', missing]);
  assert.equal(r.code, 2);
  assert.match(r.stdout.replace(/\s+/g, ' '), /no-such-script\.js: no such file/);
  assert.equal(r.report?.status, 'failed');
  assert.equal(r.report?.error?.kind, 'usage');
  assert.equal(r.report?.error?.file, missing);
  return outcome(r, started);
}, { caseName: 'a missing file' });

doc.test('a directory: exit 2, naming it', () => {
  const started = Date.now();
  const r = runCli(['run', SCRIPTS]);
  assert.equal(r.code, 2);
  assert.equal(r.report?.error?.kind, 'usage');
  assert.match(r.stdout.replace(/\s+/g, ' '), /fixtures\/scripts is a directory/);
  return outcome(r, started);
}, { caseName: 'a directory' });

doc.test('an empty file: exit 2, naming it', () => {
  const started = Date.now();
  const empty = path.join(mkdtempSync(path.join(tmpdir(), 'tfjs-debug-empty-')), 'empty.js');
  writeFileSync(empty, '');
  const r = runCli(['run', empty]);
  assert.equal(r.code, 2);
  assert.match(r.stdout.replace(/\s+/g, ' '), /empty\.js is empty/);
  return outcome(r, started, r.report?.error?.message.replace(path.dirname(empty), '<tmp>'));
}, { caseName: 'an empty file' });

doc.test('bad usage: exit 2 with one sentence', () => {
  const started = Date.now();
  const r = runCli(['run'], { json: false });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^tfjs-debug: Name the training script/);
  const failOn = runCli(['run', 'x.js', '--fail-on', 'sometimes'], { json: false });
  assert.equal(failOn.code, 2);
  const launch = runCli(['launch', 'x.js'], { json: false });
  assert.equal(launch.code, 2);
  const o = outcome(r, started, r.stderr.split('\n')[0]);
  return { ...o, tried: 3, result: `exit ${r.code}, ${failOn.code}, ${launch.code}; ${o.result}` };
}, { caseName: 'bad usage: no script, a bad --fail-on, an unknown command' });

doc.test('a syntax error: exit 1 with the file and line', () => {
  const started = Date.now();
  const script = path.join(SCRIPTS, 'syntax-error.js');
  const r = runCli(['run', script]);
  assert.equal(r.code, 1);
  assert.equal(r.report?.error?.file, script);
  assert.equal(r.report?.error?.line, 2);
  assert.match(r.report?.error?.message ?? '', /SyntaxError/);
  assert.match(r.stdout, /syntax-error\.js:2/);
  return outcome(r, started);
}, { caseName: 'a syntax error in JS' });

doc.test('a script that throws: exit 1, its error and stack with the user file and line', () => {
  const started = Date.now();
  const script = path.join(SCRIPTS, 'throws.js');
  const r = runCli(['run', script]);
  assert.equal(r.code, 1);
  assert.equal(r.report?.error?.message, 'the data file is missing');
  assert.equal(r.report?.error?.file, script);
  assert.equal(r.report?.error?.line, lineOf(script, 'throw new Error'));
  assert.match(r.stdout, /throws\.js:\d+/);
  assert.match(r.stdout, /at train /);
  return outcome(r, started);
}, { caseName: 'a top-level throw, with the stack at the user\'s line' });

doc.test('process.exit(3) mid-run: exit 3 (the script\'s own status), what was recorded is kept', () => {
  const started = Date.now();
  const script = path.join(SCRIPTS, 'exits.js');
  const r = runCli(['run', script]);
  assert.equal(r.code, 3);
  assert.match(r.report?.error?.message ?? '', /process\.exit\(3\)/);
  assert.equal(r.report?.error?.line, lineOf(script, 'process.exit(3)'));
  assert.equal(r.report?.gradientCalls.length, 1);
  const o = outcome(r, started);
  return { ...o, lost: `${o.lost}; the ${r.report?.gradientCalls.length} gradient call made before the exit is in the report` };
}, { caseName: 'process.exit(3) mid-run' });

doc.test('a script with no gradient calls: exit 0 and a no-gradient-calls finding', () => {
  const started = Date.now();
  const r = runCli(['run', path.join(SCRIPTS, 'no-gradients.js')]);
  assert.equal(r.code, 0);
  assert.deepEqual(r.report?.findings.map((f) => f.rule), ['no-gradient-calls']);
  assert.match(r.stdout.replace(/\s+/g, ' '), /made no gradient call/);
  return outcome(r, started, `finding ${r.report?.findings[0].rule}: ${r.report?.findings[0].message}`);
}, { caseName: 'a script that makes no gradient call' });

doc.test('a script that never ends: --timeout stops it with exit 4', () => {
  const started = Date.now();
  const r = runCli(['run', path.join(SCRIPTS, 'hangs.js'), '--timeout', '2']);
  assert.equal(r.code, 4);
  assert.equal(r.report?.status, 'timed-out');
  assert.ok(Date.now() - started < 15_000);
  return outcome(r, started);
}, { caseName: 'a synchronous infinite loop (--timeout 2)' });

test('--fail-on warning: exit 3 when a warning is found', () => {
  const { code } = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), '--fail-on', 'warning']);
  assert.equal(code, 3);
  const { code: errorOnly } = runCli(['run', path.join(ROOT, 'examples', 'batchnorm-mismatch.js'), '--fail-on', 'error']);
  assert.equal(errorOnly, 0);
});

test('script arguments after -- reach the script', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-debug-args-'));
  const script = path.join(dir, 'args.js');
  writeFileSync(script, "console.log('ARGS ' + JSON.stringify(process.argv.slice(2)) + ' MAIN ' + (require.main === module));\n");
  const { code, stdout, report } = runCli(['run', script, '--', '--epochs', '3', 'data.csv'], { cwd: dir });
  assert.equal(code, 0);
  assert.match(stdout, /ARGS \["--epochs","3","data.csv"\] MAIN true/);
  assert.deepEqual(report?.args, ['--epochs', '3', 'data.csv']);
});
