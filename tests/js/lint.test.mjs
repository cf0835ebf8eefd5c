// The web client and its tests pass ESLint (eslint.config.js). A name that is not defined (a
// missing import) only throws when its line runs in a browser: inside an event handler it left the editor showing a
// keystroke the server had refused while the page said "saved" (issue 15, item 7). This finds that whole class before
// a browser does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const root = new URL('../../', import.meta.url).pathname;

test('the web client and its tests pass ESLint with no problem', async () => {
  const eslint = new ESLint({ cwd: root });
  const results = await eslint.lintFiles(['src/Web/wwwroot/js', 'tests/js']);
  assert.ok(results.length >= 40, `ESLint saw only ${results.length} files: is eslint.config.js still in place?`);
  const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(root.length)}:${m.line}:${m.column} ${m.ruleId ?? 'parse'}: ${m.message}`));
  assert.deepEqual(problems, []);
});

test('ESLint would report an undefined name in the web client (the rule that found the editor defect is on)', async () => {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText('export function f(e) { return errorCode(e); }\n', { filePath: `${root}src/Web/wwwroot/js/probe.js` });
  assert.deepEqual(result.messages.map((m) => m.ruleId), ['no-undef']);
});
