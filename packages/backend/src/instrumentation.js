/*
 * OpenTelemetry metrics of the backend for Prometheus, loaded before the
 * backend with `node --require` (./kler start passes it when
 * KLER_METRICS_PORT is set; the production image always loads it).
 *
 * With KLER_METRICS_PORT set, the metrics that Backstage's metrics service
 * and the plugins record (the environments plugin's among them) are served
 * at http://<host>:<KLER_METRICS_PORT>/metrics in Prometheus' text format, on
 * all interfaces unless KLER_METRICS_HOST names one. The port is apart from
 * the backend's own: the endpoint asks for no token, so expose it only where
 * Prometheus scrapes from. Without the variable, nothing is loaded.
 *
 * Metrics only: the global meter provider is set here, before any plugin
 * takes its meter, since an OpenTelemetry meter taken earlier records nothing.
 */

// The backend's worker threads load this file too; one exporter is enough.
const { isMainThread } = require('node:worker_threads');

const portVariable = process.env.KLER_METRICS_PORT;

if (isMainThread && portVariable) {
  const port = Number(portVariable);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `KLER_METRICS_PORT must be a TCP port (1-65535), got '${portVariable}'`,
    );
  }
  const { metrics } = require('@opentelemetry/api');
  const { MeterProvider } = require('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');

  const exporter = new PrometheusExporter({
    port,
    host: process.env.KLER_METRICS_HOST || undefined,
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
}
