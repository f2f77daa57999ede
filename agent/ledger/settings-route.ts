/**
 * POST /v1/settings (admin): the limits an admin may set at the counter (DESIGN §2: the admin
 * login owns limits), the same allow-list and validation as central's `config.set` job.
 */
import { z } from 'zod';
import { ApiError } from '../api/problem.js';
import { route } from '../api/router.js';
import type { Store } from '../store/db.js';
import { isSettingKey, SETTINGS, writeSetting, type SettingKey } from './settings.js';

export function settingsRoute(store: Pick<Store, 'transaction'>, applied: (key: SettingKey) => Promise<void>) {
  return route({
    method: 'POST',
    path: '/v1/settings',
    summary: `Set a limit (admin): ${Object.keys(SETTINGS).join(', ')}`,
    role: 'admin',
    body: z.object({ key: z.string().min(1).max(64), value: z.unknown() }),
    response: z.object({ key: z.string(), value: z.unknown() }),
    handler: async ({ body }) => {
      const key = body.key;
      if (!isSettingKey(key)) {
        throw new ApiError(422, 'not-allowed', 'This setting cannot be changed here', 'यह सेटिंग यहाँ नहीं बदली जा सकती', `allowed: ${Object.keys(SETTINGS).join(', ')}`);
      }
      const value = await store.transaction((tx) => writeSetting(tx, key, body.value)).catch((err: unknown) => {
        throw new ApiError(400, 'invalid-request', 'The value is not valid', 'मान मान्य नहीं है', (err as Error).message);
      });
      await applied(key);
      return { key, value };
    },
  });
}
