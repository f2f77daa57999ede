/**
 * Every route of the local API with stand-in handlers, for the OpenAPI document
 * (`make contract`); the running agent builds the same routes with its real subsystems.
 * A route added to the agent is added here too, or the document test fails.
 */
import { buildOpenApi } from './openapi.js';
import type { AnyRoute } from './router.js';
import { statusRoute } from './status.js';
import { reloadRoute } from '../config/reload-route.js';
import { captureRoutes } from '../ekyc/routes.js';
import { fingerprintLoginRoutes } from '../fingerprint/login.js';
import { fingerprintRoutes } from '../fingerprint/routes.js';
import { businessRoutesForDocs } from '../ledger/docs.js';
import { printerRoutes } from '../printer/routes.js';

const documentationOnly = (): never => {
  throw new Error('documentation only');
};

export function documentedRoutes(): AnyRoute[] {
  return [
    statusRoute(documentationOnly),
    reloadRoute(documentationOnly),
    ...captureRoutes({ take: documentationOnly, get: documentationOnly }),
    ...businessRoutesForDocs(documentationOnly),
    ...fingerprintRoutes({ info: documentationOnly, enroll: documentationOnly, identify: documentationOnly, remove: documentationOnly }),
    ...fingerprintLoginRoutes({ configured: documentationOnly, login: documentationOnly }),
    ...printerRoutes({ info: documentationOnly, test: documentationOnly, jobs: documentationOnly, reprint: documentationOnly, confirm: documentationOnly, publicKeyPem: documentationOnly }),
  ];
}

export function localApiDocument(version: string): Record<string, unknown> {
  return buildOpenApi(documentedRoutes(), version);
}
