// Code fixes for findings: edits computed on the script's syntax tree (TypeScript's parser, which reads
// JavaScript too), never by regexes. Pure: source text and a finding in, a titled list of text edits out; the
// extension turns them into code actions. Each fix is offered only where its shape is found exactly:
// - running-stats-lagging: set `momentum: 0.9` in the `batchNormalization({...})` call the finding points at;
// - running-stats-frozen: pass `{training: true}` to the model call inside the loss closure of the gradient
//   call (a bare `model.apply(x)` runs in inference mode);
// - loss-gap (BatchNorm): call the model in inference mode inside the loss closure (`{training: true}` becomes
//   `{training: false}`, or `{training: false}` is added);
// - frozen-layer-in-training-mode: the same in a custom loop; with fit, the frozen model called through a small
//   layer that runs it in inference mode (inferenceWrapper.ts);
// - tensor-leak: the loop's step run in tf.tidy where that cannot change the loop (tidyLoop.ts), else dispose
//   what the leaking statement declares at the end of the loop body it is in.
import ts from 'typescript';
import type { Finding, RunReport, SourceLocation } from '../protocol/report.ts';
import type { SourceFix, TextEdit } from './edits.ts';
import { inferenceWrapperFix } from './inferenceWrapper.ts';
import { setTraining } from './modeEdits.ts';
import { tidyLoopFix } from './tidyLoop.ts';
import { calleeName, callsOnLine, descendants, enclosing, isApplyCall, offsetOf, parse, tfjsBinding } from './syntax.ts';

export { applyEdits, type SourceFix, type TextEdit } from './edits.ts';

/** `momentum: 0.9` in the object literal of `batchNormalization({...})` (added, or its value replaced). */
function setMomentum(sf: ts.SourceFile, at: SourceLocation, momentum: number): SourceFix | null {
  const call = callsOnLine(sf, at).find((c) => calleeName(c) === 'batchNormalization');
  if (!call) return null;
  const arg = call.arguments[0];
  const title = `Set momentum: ${momentum} on batchNormalization`;
  if (!arg) return { title, edits: [{ start: call.arguments.pos, end: call.arguments.end, text: `{ momentum: ${momentum} }` }] };
  if (!ts.isObjectLiteralExpression(arg)) return null;
  const existing = arg.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === 'momentum');
  if (existing) return { title, edits: [{ start: existing.initializer.getStart(sf), end: existing.initializer.end, text: String(momentum) }] };
  const insertAt = arg.getStart(sf) + 1;
  return { title, edits: [{ start: insertAt, end: insertAt, text: arg.properties.length ? ` momentum: ${momentum},` : ` momentum: ${momentum} ` }] };
}

/** The function passed to the gradient call at `at` (the loss closure). */
function lossClosure(sf: ts.SourceFile, at: SourceLocation): ts.ArrowFunction | ts.FunctionExpression | null {
  for (const call of callsOnLine(sf, at)) {
    const f = call.arguments.find((a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
    if (f) return f;
  }
  return null;
}

/** `training` set on every model call (`x.apply(...)`) inside the loss closure of the gradient call at `at`. */
function closureModeFix(sf: ts.SourceFile, gradientCall: SourceLocation | null, training: boolean): SourceFix | null {
  if (!gradientCall) return null;
  const closure = lossClosure(sf, gradientCall);
  if (!closure) return null;
  const edits = descendants(closure, isApplyCall).map((c) => setTraining(sf, c, training)).filter((e): e is TextEdit => e != null);
  return edits.length ? { title: `Call the model with {training: ${training}} in the loss closure`, edits } : null;
}

/** `tf.dispose([a, b])` at the end of the loop body that holds the leaking declaration. */
function disposeLeak(sf: ts.SourceFile, at: SourceLocation): SourceFix | null {
  const offset = offsetOf(sf, at);
  const tf = tfjsBinding(sf);
  if (offset < 0 || !tf) return null;
  const decl = enclosing(sf, offset, ts.isVariableStatement).at(-1);
  if (!decl) return null;
  const names = decl.declarationList.declarations.flatMap((d) => {
    if (ts.isIdentifier(d.name)) return [d.name.text];
    if (ts.isObjectBindingPattern(d.name) || ts.isArrayBindingPattern(d.name)) {
      return d.name.elements.flatMap((e) => (ts.isBindingElement(e) && ts.isIdentifier(e.name) ? [e.name.text] : []));
    }
    return [];
  });
  const loop = enclosing(sf, offset, (n): n is ts.IterationStatement => ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n)).at(-1);
  if (!loop || !ts.isBlock(loop.statement)) return null;
  // The whole step in tf.tidy where that cannot change the loop; else dispose what the statement declares.
  const tidy = tidyLoopFix(sf, loop, tf.name);
  if (tidy) return tidy;
  if (!names.length) return null;
  const body = loop.statement;
  const last = body.statements[body.statements.length - 1];
  const indent = last ? ' '.repeat(sf.getLineAndCharacterOfPosition(last.getStart(sf)).character) : '  ';
  const insertAt = last ? last.end : body.getStart(sf) + 1;
  return {
    title: `Dispose ${names.join(', ')} at the end of each step`,
    edits: [{ start: insertAt, end: insertAt, text: `\n${indent}${tf.name}.dispose([${names.join(', ')}]);` }],
  };
}

/** The fixes a finding has in this file's source. */
export function fixesFor(finding: Finding, report: RunReport, file: string, text: string): SourceFix[] {
  const sf = parse(file, text);
  const call = finding.gradientCall != null ? report.gradientCalls.find((c) => c.index === finding.gradientCall) : undefined;
  const callSite = call?.source && call.source.file === file ? call.source : null;
  const here = finding.source && finding.source.file === file ? finding.source : null;
  const fixes: (SourceFix | null)[] = [];
  switch (finding.rule) {
    case 'running-stats-lagging':
      if (here) fixes.push(setMomentum(sf, here, 0.9));
      break;
    case 'running-stats-frozen':
      fixes.push(closureModeFix(sf, callSite ?? firstCallSite(report, file), true));
      break;
    case 'loss-gap':
      fixes.push(closureModeFix(sf, callSite, false));
      break;
    case 'frozen-layer-in-training-mode':
      fixes.push(closureModeFix(sf, callSite, false) ?? (here ? inferenceWrapperFix(sf, here) : null));
      break;
    case 'tensor-leak':
      if (here) fixes.push(disposeLeak(sf, here));
      break;
    default:
      break;
  }
  return fixes.filter((f): f is SourceFix => f != null);
}

/** The first recorded gradient call made from this file (a rule that names a layer, not a call). */
function firstCallSite(report: RunReport, file: string): SourceLocation | null {
  return report.gradientCalls.find((c) => c.source?.file === file)?.source ?? null;
}
