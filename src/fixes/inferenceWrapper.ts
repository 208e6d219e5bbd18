// frozen-layer-in-training-mode, where the frozen model is built into a bigger one (`head.apply(base.apply(x))`)
// and trained with fit: fit calls every layer in training mode and a node's own kwargs are not used then
// (tfjs-layers engine/executor.ts), so `{training: false}` on that call would change nothing. The fix adds a small
// layer that calls the frozen model in inference mode whatever mode it is called in, and calls the base through
// it. Where the frozen model is called inside a function passed to another call (a loss closure), it gets
// `{training: false}` on that call instead, which tfjs does pass on (a model's call runs its graph with the kwargs).
import ts from 'typescript';
import type { SourceLocation } from '../protocol/report.ts';
import type { SourceFix, TextEdit } from './edits.ts';
import { descendants, enclosing, isApplyCall, isFunctionLike, isTypeScript, offsetOf, tfjsBinding, type FunctionLike } from './syntax.ts';
import { setTraining } from './modeEdits.ts';

export const WRAPPER_CLASS = 'InferenceMode';

function wrapperSource(tf: string, typed: boolean): string {
  const t = (annotation: string) => (typed ? annotation : '');
  return [
    '',
    '',
    '/** Calls a model in inference mode, whatever mode it is called in: model.fit calls every layer in training mode,',
    ' *  frozen or not, so a frozen model\'s BatchNormalization layers would keep moving their statistics. */',
    `class ${WRAPPER_CLASS} extends ${tf}.layers.Layer {`,
    `  static className = '${WRAPPER_CLASS}';`,
    ...(typed ? [`  private readonly frozen: ${tf}.LayersModel;`] : []),
    `  constructor(frozen${t(`: ${tf}.LayersModel`)}) {`,
    '    super({ name: `${frozen.name}_inference` });',
    '    this.frozen = frozen;',
    '  }',
    '  get trainableWeights() { return this.frozen.trainableWeights; }',
    '  get nonTrainableWeights() { return this.frozen.nonTrainableWeights; }',
    `  computeOutputShape(inputShape${t(`: ${tf}.Shape | ${tf}.Shape[]`)}) { return this.frozen.computeOutputShape(inputShape); }`,
    `  call(inputs${t(`: ${tf}.Tensor | ${tf}.Tensor[]`)}) { return this.frozen.apply(inputs, { training: false })${t(` as ${tf}.Tensor | ${tf}.Tensor[]`)}; }`,
    '}',
  ].join('\n');
}

/** `x` in the `x.trainable = false` on the line of `at`. */
function frozenName(sf: ts.SourceFile, at: SourceLocation): { name: string; assignment: ts.BinaryExpression } | null {
  const offset = offsetOf(sf, at);
  if (offset < 0) return null;
  const line = sf.getLineAndCharacterOfPosition(offset).line;
  const assignment = descendants(sf, (n): n is ts.BinaryExpression => ts.isBinaryExpression(n) &&
    n.operatorToken.kind === ts.SyntaxKind.EqualsToken && sf.getLineAndCharacterOfPosition(n.getStart(sf)).line === line)
    .find((b) => ts.isPropertyAccessExpression(b.left) && b.left.name.text === 'trainable' && ts.isIdentifier(b.left.expression) &&
      b.right.kind === ts.SyntaxKind.FalseKeyword);
  if (!assignment) return null;
  return { name: ((assignment.left as ts.PropertyAccessExpression).expression as ts.Identifier).text, assignment };
}

/** The function (or file) the assignment is in: where that name is the frozen model. */
function scopeOf(sf: ts.SourceFile, node: ts.Node): ts.Node {
  return enclosing(sf, node.getStart(sf), isFunctionLike).at(-1) ?? sf;
}

/** The innermost function between `node` and `scope`, if any (a closure inside the scope). */
function closureBetween(node: ts.Node, scope: ts.Node): FunctionLike | null {
  for (let n = node.parent; n && n !== scope; n = n.parent) if (isFunctionLike(n)) return n;
  return null;
}

/** Calls `name.apply(...)` on the frozen model in inference mode: through the wrapper, or with {training: false}. */
export function inferenceWrapperFix(sf: ts.SourceFile, at: SourceLocation): SourceFix | null {
  const frozen = frozenName(sf, at);
  const tf = tfjsBinding(sf);
  if (!frozen || !tf) return null;
  const scope = scopeOf(sf, frozen.assignment);
  const calls = descendants(scope, isApplyCall).filter((c) => {
    const target = (c.expression as ts.PropertyAccessExpression).expression;
    return ts.isIdentifier(target) && target.text === frozen.name;
  });
  const edits: TextEdit[] = [];
  let wrapped = false;
  for (const call of calls) {
    if (closureBetween(call, scope)) {
      const edit = setTraining(sf, call, false);
      if (edit) edits.push(edit);
    } else if (call.arguments.length === 1) {
      const target = (call.expression as ts.PropertyAccessExpression).expression;
      edits.push({ start: target.getStart(sf), end: target.end, text: `new ${WRAPPER_CLASS}(${frozen.name})` });
      wrapped = true;
    }
  }
  if (!edits.length) return null;
  const declared = descendants(sf, ts.isClassDeclaration).some((c) => c.name?.text === WRAPPER_CLASS);
  if (wrapped && !declared) edits.push({ start: tf.statement.end, end: tf.statement.end, text: wrapperSource(tf.name, isTypeScript(sf)) });
  return {
    title: wrapped ? `Call ${frozen.name} in inference mode through a wrapper layer (${WRAPPER_CLASS})` : `Call ${frozen.name} with {training: false}`,
    edits,
  };
}
