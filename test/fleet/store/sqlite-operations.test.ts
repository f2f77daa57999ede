import t from 'tap';
import { join } from 'node:path';
import { SqliteFleetRepository } from '../../../fleet/store/sqlite-repository.js';
import { tempDir } from '../fixtures/helpers.js';
import { operationsSuite } from './operations-suite.js';

operationsSuite(t, async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  return repo;
});
