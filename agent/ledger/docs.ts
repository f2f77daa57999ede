/** The routes of issue 8 with stand-in handlers, for the OpenAPI document (agent/api/catalog.ts). */
import type { AnyRoute } from '../api/router.js';
import { authRoutes } from '../auth/routes.js';
import { inactivityRoute } from '../inactivity/route.js';
import { ledgerRoutes, type LedgerRouteDeps } from './routes.js';
import { settingsRoute } from './settings-route.js';

export function businessRoutesForDocs(stub: () => never): AnyRoute[] {
  const ledger = { record: stub, topup: stub, wallet: stub, print: stub } as unknown as LedgerRouteDeps['ledger'];
  return [...authRoutes({ login: stub, logout: stub }), ...ledgerRoutes({ ledger, clock: { now: stub } }), inactivityRoute(stub), settingsRoute({ transaction: stub }, stub)];
}
