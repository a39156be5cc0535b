#!/usr/bin/env node
// Times the sandbox's own answer to the environments backend's heavy read calls
// at a generated scale, through the real SDK, with no added latency or throttling.
// Usage: node scripts/time-operations.mjs [--services 1000] [--port 4590]
//        [--speed 0] [--calls 100] [--in-flight 8] [--cpu-prof DIR]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const require = createRequire(join(packageDir, 'package.json'));
const ecsSdk = require('@aws-sdk/client-ecs');
const elbSdk = require('@aws-sdk/client-elastic-load-balancing-v2');
const cwSdk = require('@aws-sdk/client-cloudwatch');

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    port: { type: 'string', default: '4590' },
    speed: { type: 'string', default: '0' },
    calls: { type: 'string', default: '100' },
    'in-flight': { type: 'string', default: '8' },
    'cpu-prof': { type: 'string' },
  },
});
const services = Number(values.services);
const calls = Number(values.calls);
const inFlight = Number(values['in-flight']);
const url = `http://127.0.0.1:${values.port}`;

const nodeArgs = values['cpu-prof']
  ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']]
  : [];
const child = spawn(
  process.execPath,
  [
    ...nodeArgs,
    join(packageDir, 'bin/aws-sandbox'),
    '--port',
    values.port,
    '--generate',
    String(services),
    '--environments',
    '2',
    '--tasks-per-service',
    '5',
    '--start',
    '2026-11-26T12:00:00Z',
    '--speed',
    values.speed,
    '--no-throttling',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((resolve, reject) => {
  child.stdout.on('data', data => {
    if (String(data).includes('listening')) resolve();
  });
  child.on('exit', code => reject(new Error(`sandbox exited ${code}`)));
});

const state = await (await fetch(`${url}/_sandbox/state`)).json();
const env = state.environments[0];
const config = {
  endpoint: url,
  region: env.region,
  credentials: { accessKeyId: `SANDBOX${env.account}`, secretAccessKey: 'x' },
  maxAttempts: 1,
};
const ecs = new ecsSdk.ECSClient(config);
const elb = new elbSdk.ElasticLoadBalancingV2Client(config);
const cw = new cwSdk.CloudWatchClient(config);
const cluster = env.cluster;

const serviceArns = [];
for await (const page of ecsSdk.paginateListServices(
  { client: ecs },
  { cluster, maxResults: 100 },
)) {
  serviceArns.push(...page.serviceArns);
}
const taskArns = [];
for await (const page of ecsSdk.paginateListTasks(
  { client: ecs },
  { cluster, maxResults: 100 },
)) {
  taskArns.push(...page.taskArns);
}
const firstServices = await ecs.send(
  new ecsSdk.DescribeServicesCommand({
    cluster,
    services: serviceArns.slice(0, 10),
  }),
);
const targetGroupArn =
  firstServices.services[0].loadBalancers[0].targetGroupArn;

/** CPU time (user + system) the sandbox process has used, in ms (Linux). */
function sandboxCpuMs() {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ');
  // utime and stime, fields 14 and 15 of stat, in clock ticks of 10 ms
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function time(name, makeCall) {
  const durations = [];
  const cpuBefore = sandboxCpuMs();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) {
        const i = next++;
        const t = performance.now();
        await makeCall(i);
        durations.push(performance.now() - t);
      }
    }),
  );
  const wall = performance.now() - started;
  const cpuPerCall = (sandboxCpuMs() - cpuBefore) / calls;
  durations.sort((a, b) => a - b);
  const mean = durations.reduce((s, d) => s + d, 0) / durations.length;
  process.stdout.write(
    `${name.padEnd(28)} ${calls} calls, ${inFlight} in flight: wall ${(
      wall / 1000
    ).toFixed(2)} s, per call mean ${mean.toFixed(1)} ms, p50 ${durations[
      Math.floor(durations.length / 2)
    ].toFixed(1)} ms, p95 ${durations[
      Math.floor(durations.length * 0.95)
    ].toFixed(1)} ms; sandbox CPU ${cpuPerCall.toFixed(1)} ms per call\n`,
  );
}

const operations = {
  'DescribeServices (10)': i =>
    ecs.send(
      new ecsSdk.DescribeServicesCommand({
        cluster,
        services: serviceArns.slice(
          (i * 10) % serviceArns.length,
          ((i * 10) % serviceArns.length) + 10,
        ),
      }),
    ),
  'DescribeTasks (100)': i =>
    ecs.send(
      new ecsSdk.DescribeTasksCommand({
        cluster,
        tasks: taskArns.slice(
          (i * 100) % taskArns.length,
          ((i * 100) % taskArns.length) + 100,
        ),
      }),
    ),
  'ListTasks (page of 100)': () =>
    ecs.send(
      new ecsSdk.ListTasksCommand({
        cluster,
        desiredStatus: 'RUNNING',
        maxResults: 100,
      }),
    ),
  DescribeTargetHealth: () =>
    elb.send(
      new elbSdk.DescribeTargetHealthCommand({
        TargetGroupArn: targetGroupArn,
      }),
    ),
  'DescribeAlarms (100)': () =>
    cw.send(new cwSdk.DescribeAlarmsCommand({ MaxRecords: 100 })),
};
// DescribeTargetGroups and GetMetricData: only when this sandbox answers them
// (so the script also times older versions of the sandbox)
const targetGroups = await elb
  .send(new elbSdk.DescribeTargetGroupsCommand({ PageSize: 400 }))
  .then(out => out.TargetGroups)
  .catch(() => undefined);
if (targetGroups) {
  const now = Date.parse(state.now);
  const countQueries = targetGroups.slice(0, 250).flatMap((group, i) => {
    const arn = group.TargetGroupArn;
    const loadBalancer = group.LoadBalancerArns[0];
    const Dimensions = [
      {
        Name: 'TargetGroup',
        Value: arn.slice(arn.indexOf(':targetgroup/') + 1),
      },
      { Name: 'LoadBalancer', Value: loadBalancer.split(':loadbalancer/')[1] },
    ];
    return [
      ['h', 'HealthyHostCount', 'Minimum'],
      ['u', 'UnHealthyHostCount', 'Maximum'],
    ].map(([prefix, MetricName, Stat]) => ({
      Id: `${prefix}${i}`,
      MetricStat: {
        Metric: { Namespace: 'AWS/ApplicationELB', MetricName, Dimensions },
        Period: 60,
        Stat,
      },
    }));
  });
  operations['DescribeTargetGroups (400)'] = () =>
    elb.send(new elbSdk.DescribeTargetGroupsCommand({ PageSize: 400 }));
  operations['GetMetricData (500 queries)'] = () =>
    cw.send(
      new cwSdk.GetMetricDataCommand({
        MetricDataQueries: countQueries,
        StartTime: new Date(now - 5 * 60_000),
        EndTime: new Date(now),
        ScanBy: 'TimestampDescending',
      }),
    );
}
for (const [name, makeCall] of Object.entries(operations)) {
  await time(name, makeCall);
}
child.kill('SIGINT');
await new Promise(resolve => child.on('exit', resolve));
