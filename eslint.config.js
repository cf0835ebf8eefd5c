// ESLint for the web client and its tests (`npx eslint`; run by tests/js/lint.test.mjs, so by the test command).
// The rules that catch what a browser only finds at run time: an undefined name (a missing import) throws inside an
// event handler and leaves the page half-updated.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/**', 'src/Web/wwwroot/lib/**', '**/bin/**', '**/obj/**', 'artifacts/**'] },
  js.configs.recommended,
  {
    files: ['src/Web/wwwroot/js/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.browser, signalR: 'readonly', msgpack5: 'readonly' } },
  },
  {
    files: ['tests/js/**/*.mjs', 'tests/js/**/*.js', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
  },
];
