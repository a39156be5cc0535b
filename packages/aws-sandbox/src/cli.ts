import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { generateScenario } from './scenario/generate';
import { ScenarioError } from './scenario/load';
import { startSandbox } from './server';

const USAGE = `Usage: aws-sandbox [--port 4566] [--host 127.0.0.1]
  [--scenario scenarios/kler.yaml | --generate SERVICES_PER_ENVIRONMENT
   [--environments 2] [--tasks-per-service 5]]
  [--start 2026-11-26T19:00:00Z] [--speed 60] [--no-throttling]
  [--environments-file FILE]`;

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4566' },
      host: { type: 'string', default: '127.0.0.1' },
      scenario: { type: 'string' },
      generate: { type: 'string' },
      environments: { type: 'string', default: '2' },
      'tasks-per-service': { type: 'string', default: '5' },
      start: { type: 'string' },
      speed: { type: 'string' },
      'no-throttling': { type: 'boolean', default: false },
      'environments-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const scenarioPath = values.scenario
    ? resolve(values.scenario)
    : resolvePackagePath('@kler/aws-sandbox', 'scenarios/kler.yaml');
  const scenario = values.generate
    ? generateScenario({
        environments: Number(values.environments),
        servicesPerEnvironment: Number(values.generate),
        tasksPerService: Number(values['tasks-per-service']),
      })
    : scenarioPath;
  const running = await startSandbox({
    port: Number(values.port),
    host: values.host,
    scenario,
    clock: {
      start: values.start,
      speed: values.speed === undefined ? undefined : Number(values.speed),
    },
    environmentsFile: values['environments-file']
      ? resolve(values['environments-file'])
      : undefined,
  });
  if (values['no-throttling']) running.admin.setThrottling({ enabled: false });
  process.stdout.write(`aws-sandbox listening on ${running.url}\n`);
  const stop = () => {
    running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch(error => {
  process.stderr.write(
    `${
      error instanceof ScenarioError ? error.message : error?.stack ?? error
    }\n${USAGE}\n`,
  );
  process.exit(1);
});
