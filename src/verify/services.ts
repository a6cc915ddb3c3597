/**
 * The services a preflight checks: those the configuration names (`SERVICE_CONFIG`,
 * `LAMBDA_CONFIG`), the backend when `BACKEND_SERVICE_NAME` names it, and, live, the ECS services
 * of the cluster that the triggers reach although the configuration does not list them.
 */
import type { CatalogService } from '../config/catalog.js';
import type { Config } from '../config/config.js';

/** Why a service is checked. */
export type Origin = 'SERVICE_CONFIG' | 'LAMBDA_CONFIG' | 'BACKEND_SERVICE_NAME' | 'cluster';

export interface KnownService {
  service: CatalogService;
  origin: Origin;
}

/**
 * The services the configuration names, Lambda targets first (the catalog's order), then the
 * backend if only `BACKEND_SERVICE_NAME` names it.
 *
 * @example
 * knownServices(config).map((k) => k.service.name); // ['thumbnailer', 'api', 'worker']
 */
export function knownServices(config: Config): KnownService[] {
  const { catalog } = config;
  const known: KnownService[] = catalog
    .configured()
    .map((service) => ({ service, origin: service.kind === 'lambda' ? 'LAMBDA_CONFIG' : 'SERVICE_CONFIG' }));
  const backend = config.backendServiceName === '' ? undefined : catalog.service(config.backendServiceName);
  if (backend !== undefined && !known.some((k) => k.service.name === backend.name))
    known.push({ service: backend, origin: 'BACKEND_SERVICE_NAME' });
  return known;
}
