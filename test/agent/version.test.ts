import t from 'tap';
import { readFileSync } from 'node:fs';
import { AGENT_VERSION } from '../../agent/version.js';

t.test('the reported version is the package version', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  t.equal(AGENT_VERSION, pkg.version);
  t.end();
});
