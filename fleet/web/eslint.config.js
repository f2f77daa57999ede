// The dashboard's browser scripts: plain JavaScript served as is, outside the TypeScript project,
// so they get the recommended rules with browser globals instead of the typed rules of the root.
import js from '@eslint/js';

/** The browser globals the dashboard uses. */
const BROWSER = Object.fromEntries(
  ['window', 'document', 'location', 'localStorage', 'fetch', 'EventSource', 'URLSearchParams', 'Node', 'Event', 'setTimeout', 'clearTimeout', 'console'].map((g) => [g, 'readonly']),
);

export default [
  { ignores: ['eslint.config.js'] },
  js.configs.recommended,
  { files: ['**/*.js'], languageOptions: { sourceType: 'script', globals: BROWSER } },
];
