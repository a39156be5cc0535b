import { RequestHandler } from 'express';
import { EnvironmentsMetrics } from './EnvironmentsMetrics';

/** The route of a request that no route matched (a 404 of the router). */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Measures each request to the plugin's routes, labelled by the template of
 * the route that answered it (`/v1/environments/:name`), never by its URL.
 */
export function createRequestMetricsMiddleware(
  metrics: EnvironmentsMetrics,
): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    res.once('finish', () => {
      // Set by express on the request once a route matched it.
      const path: unknown = req.route?.path;
      metrics.recordRequest(
        {
          method: req.method,
          route: typeof path === 'string' ? path : UNMATCHED_ROUTE,
          status_code: res.statusCode,
        },
        (performance.now() - startedAt) / 1000,
      );
    });
    next();
  };
}
