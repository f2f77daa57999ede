import t from 'tap';
import { join } from 'node:path';
import { SqliteFleetRepository } from '../../../fleet/store/sqlite-repository.js';
import { tempDir } from '../fixtures/helpers.js';
import { accessSuite } from './access-suite.js';

accessSuite(t, async (t) => {
  const repo = await SqliteFleetRepository.open(join(tempDir(t), 'fleet.db'));
  t.teardown(() => repo.close());
  return repo;
});
