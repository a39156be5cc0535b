import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  BackupClient,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
} from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  DescribeImageScanFindingsCommandOutput,
  ECRClient,
  FindingSeverity,
  PutImageCommand,
  ScanStatus,
  StartImageScanCommand,
} from '@aws-sdk/client-ecr';
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateMountTargetCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  EFSClient,
} from '@aws-sdk/client-efs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { createHash } from 'node:crypto';
import {
  isMotoInstalled,
  isMotoRequired,
  MotoServer,
  seedMotoEnvironment,
  startMoto,
} from './moto';
import { diffShapes, shapeOf } from './moto/shapes';
import { RunningSandbox, startSandbox } from './server';
import type { ScenarioInput } from './scenario/schema';
import {
  KNOWN_MOTO_DIFFERENCES,
  KNOWN_MOTO_ERROR_DIFFERENCES,
  MOTO_ANSWERS_FIXED_DATA,
  MOTO_ANSWERS_NO_DATA,
  NOT_IN_MOTO,
} from './moto/knownDifferences';

jest.setTimeout(120_000);

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const CLUSTER = 'kler-moto';
/** The sandbox's frozen clock. */
const NOW = Date.parse('2026-11-26T12:00:00Z');
const SERVICES = ['shop-api', 'storefront'];
/** This package's moto ports. */
const MOTO_PORTS = [5101, 5102, 5103, 5104, 5105, 5106, 5107, 5108, 5109];

const sha256 = (text: string) =>
  `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * Each service's image in the account's ECR, pushed untagged: known in both
 * emulators by its digest, the sha256 of its manifest as a registry computes it.
 */
const IMAGES = Object.fromEntries(
  SERVICES.map(name => {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 1024,
        digest: sha256(`${name} config`),
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: 4096,
          digest: sha256(`${name} layer`),
        },
      ],
    });
    return [
      name,
      { repository: `kler/${name}`, manifest, digest: sha256(manifest) },
    ];
  }),
);
/** ECR's scan of each service's image: shop-api's found findings, storefront's never ran. */
const IMAGE_SCANS: Record<
  string,
  { scanned?: boolean; CRITICAL?: number; HIGH?: number }
> = {
  'shop-api': { CRITICAL: 1, HIGH: 2 },
  storefront: { scanned: false },
};

/** The same resources as seeded into moto below. */
const SCENARIO: ScenarioInput = {
  seed: 'moto',
  accounts: [{ id: ACCOUNT, name: 'moto' }],
  throttling: { enabled: false, ratePerSecond: 20, burst: 40 },
  environments: [
    {
      name: 'moto',
      account: ACCOUNT,
      region: REGION,
      cluster: CLUSTER,
      vault: CLUSTER,
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      capacityProviders: [
        {
          name: 'kler-moto-ec2',
          autoScalingGroup: { name: 'kler-moto-asg', min: 1, max: 4 },
        },
      ],
      services: [
        {
          name: 'shop-api',
          min: 2,
          max: 3,
          targetGroup: 'shop-api',
          scalingPolicies: [{ name: 'cpu-target-tracking' }],
        },
        { name: 'storefront', min: 2, max: 2 },
      ].map(service => ({
        ...service,
        image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${
          IMAGES[service.name].repository
        }@${IMAGES[service.name].digest}`,
        imageScan: IMAGE_SCANS[service.name],
        environment: [{ name: 'LOG_LEVEL', value: 'info' }],
        secrets: [
          {
            name: 'DB_PASSWORD',
            valueFrom: `/kler/${service.name}/db-password`,
          },
          {
            name: 'API_KEY',
            // moto draws its own 6-character suffix: the calls name the secret by name
            valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:kler/${service.name}/api-key-AbCdEf`,
          },
        ],
      })),
      alarms: [
        {
          name: 'shop-api-cpu-high',
          service: 'shop-api',
          metric: 'CPUUtilization',
          threshold: 80,
        },
        { name: 'kler-moto-cpu', metric: 'CPUReservation', threshold: 90 },
      ],
      // moto creates file systems unencrypted, with no KMS key
      resources: [{ type: 'efs', name: 'shop-media', encrypted: false }],
      backupPlans: [
        {
          name: 'kler-moto-daily',
          rules: [{ name: 'daily', schedule: 'cron(0 3 * * ? *)' }],
          selections: [{ name: 'data', resources: ['shop-media'] }],
        },
      ],
    },
  ],
};

const requireMoto = isMotoRequired();
const motoInstalled = isMotoInstalled();

/** The resources of SCENARIO, in moto. */
async function seedMoto(moto: MotoServer) {
  const seeded = await seedMotoEnvironment(moto, {
    cluster: CLUSTER,
    capacityProvider: {
      name: 'kler-moto-ec2',
      autoScalingGroup: { name: 'kler-moto-asg', min: 1, max: 4, desired: 2 },
    },
    services: SERVICES.map(name => ({
      name,
      desiredCount: 2,
      runningTasks: 2,
      ...(name === 'shop-api' && {
        targetGroup: { name: 'shop-api', targetIps: ['172.31.0.10'] },
        scaling: {
          min: 2,
          max: 3,
          cpuTargetTracking: [
            { policyName: 'cpu-target-tracking', targetValue: 60 },
          ],
        },
      }),
    })),
    loadBalancer: { name: CLUSTER },
    alarms: [
      { name: 'shop-api-cpu-high', service: 'shop-api' },
      { name: 'kler-moto-cpu', metric: 'CPUReservation' },
    ],
    fileSystems: [{ name: 'shop-media', tags: { 'kler:environment': 'moto' } }],
    backupPlan: {
      vault: CLUSTER,
      name: 'kler-moto-daily',
      schedule: 'cron(0 3 * * ? *)',
    },
  });
  // The sandbox mounts a file system in every zone of the environment (two)
  // and has a parameter or secret for every secret its services name.
  const efs = new EFSClient(moto.clientConfig);
  const FileSystemId = seeded.fileSystemArns['shop-media'].split('/').pop();
  for (const SubnetId of seeded.subnets.slice(0, 2)) {
    await efs.send(new CreateMountTargetCommand({ FileSystemId, SubnetId }));
  }
  const ssm = new SSMClient(moto.clientConfig);
  for (const name of SERVICES) {
    await ssm.send(
      new PutParameterCommand({
        Name: `/kler/${name}/db-password`,
        Type: 'SecureString',
        Value: 'moto-only',
      }),
    );
  }
  const secretsManager = new SecretsManagerClient(moto.clientConfig);
  for (const name of SERVICES) {
    await secretsManager.send(
      new CreateSecretCommand({
        Name: `kler/${name}/api-key`,
        SecretString: 'moto-only',
      }),
    );
  }
  const ecr = new ECRClient(moto.clientConfig);
  for (const name of SERVICES) {
    const { repository, manifest, digest } = IMAGES[name];
    const scanned = IMAGE_SCANS[name].scanned !== false;
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: repository,
        imageScanningConfiguration: { scanOnPush: scanned },
      }),
    );
    await ecr.send(
      new PutImageCommand({
        repositoryName: repository,
        imageManifest: manifest,
        imageDigest: digest,
      }),
    );
    // moto 5.2 does not scan on push: the scan ECR would start on push is started here
    if (scanned) {
      await ecr.send(
        new StartImageScanCommand({
          repositoryName: repository,
          imageId: { imageDigest: digest },
        }),
      );
    }
  }
}

function describeImageScanFindings(
  config: object,
  repositoryName: string,
  imageDigest: string,
) {
  return new ECRClient(config).send(
    new DescribeImageScanFindingsCommand({
      repositoryName,
      imageId: { imageDigest },
    }),
  );
}

/** The read calls the environments backend makes, against one endpoint. */
function calls(config: object): Record<string, () => Promise<unknown>> {
  const ecs = new ECSClient(config);
  const backup = new BackupClient(config);
  const listTasks = () =>
    ecs.send(
      new ListTasksCommand({
        cluster: CLUSTER,
        desiredStatus: 'RUNNING',
        maxResults: 100,
      }),
    );
  const firstPlanId = async () =>
    (await backup.send(new ListBackupPlansCommand({}))).BackupPlansList![0]
      .BackupPlanId!;
  const targetGroupArn = async () => {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api'] }),
    );
    return out.services![0].loadBalancers![0].targetGroupArn!;
  };
  const elb = new ElasticLoadBalancingV2Client(config);
  const describeTargetGroups = () =>
    elb.send(new DescribeTargetGroupsCommand({ PageSize: 400 }));
  return {
    DescribeClusters: () =>
      ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] })),
    ListServices: () =>
      ecs.send(new ListServicesCommand({ cluster: CLUSTER, maxResults: 100 })),
    DescribeServices: () =>
      ecs.send(
        new DescribeServicesCommand({ cluster: CLUSTER, services: SERVICES }),
      ),
    ListTasks: listTasks,
    DescribeTasks: async () =>
      ecs.send(
        new DescribeTasksCommand({
          cluster: CLUSTER,
          tasks: (await listTasks()).taskArns,
        }),
      ),
    DescribeTaskDefinition: async () => {
      const out = await ecs.send(
        new DescribeServicesCommand({
          cluster: CLUSTER,
          services: ['shop-api'],
        }),
      );
      return ecs.send(
        new DescribeTaskDefinitionCommand({
          taskDefinition: out.services![0].taskDefinition,
        }),
      );
    },
    DescribeCapacityProviders: () =>
      ecs.send(
        new DescribeCapacityProvidersCommand({
          capacityProviders: ['kler-moto-ec2'],
        }),
      ),
    DescribeScalableTargets: () =>
      new ApplicationAutoScalingClient(config).send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: 'ecs',
          ResourceIds: [`service/${CLUSTER}/shop-api`],
        }),
      ),
    DescribeScalingPolicies: () =>
      new ApplicationAutoScalingClient(config).send(
        new DescribeScalingPoliciesCommand({
          ServiceNamespace: 'ecs',
          ResourceId: `service/${CLUSTER}/shop-api`,
        }),
      ),
    DescribeAutoScalingGroups: () =>
      new AutoScalingClient(config).send(
        new DescribeAutoScalingGroupsCommand({
          AutoScalingGroupNames: ['kler-moto-asg'],
        }),
      ),
    DescribeAlarms: () =>
      new CloudWatchClient(config).send(
        new DescribeAlarmsCommand({ MaxRecords: 100 }),
      ),
    DescribeTargetGroups: describeTargetGroups,
    GetMetricData: async () => {
      const groups = (await describeTargetGroups()).TargetGroups!;
      return new CloudWatchClient(config).send(
        new GetMetricDataCommand({
          MetricDataQueries: groups.flatMap((group, i) => {
            const arn = group.TargetGroupArn!;
            const loadBalancer = group.LoadBalancerArns![0];
            const Dimensions = [
              {
                Name: 'TargetGroup',
                Value: arn.slice(arn.indexOf(':targetgroup/') + 1),
              },
              {
                Name: 'LoadBalancer',
                Value: loadBalancer.split(':loadbalancer/')[1],
              },
            ];
            return [
              ['h', 'HealthyHostCount', 'Minimum'],
              ['u', 'UnHealthyHostCount', 'Maximum'],
            ].map(([prefix, MetricName, Stat]) => ({
              Id: `${prefix}${i}`,
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/ApplicationELB',
                  MetricName,
                  Dimensions,
                },
                Period: 60,
                Stat,
              },
            }));
          }),
          StartTime: new Date(NOW - 5 * 60_000),
          EndTime: new Date(NOW),
          ScanBy: 'TimestampDescending',
        }),
      );
    },
    DescribeTargetHealth: async () =>
      elb.send(
        new DescribeTargetHealthCommand({
          TargetGroupArn: await targetGroupArn(),
        }),
      ),
    ListBackupPlans: () => backup.send(new ListBackupPlansCommand({})),
    GetBackupPlan: async () =>
      backup.send(
        new GetBackupPlanCommand({ BackupPlanId: await firstPlanId() }),
      ),
    ListBackupSelections: async () =>
      backup.send(
        new ListBackupSelectionsCommand({ BackupPlanId: await firstPlanId() }),
      ),
    GetBackupSelection: async () => {
      const BackupPlanId = await firstPlanId();
      const selections = await backup.send(
        new ListBackupSelectionsCommand({ BackupPlanId }),
      );
      return backup.send(
        new GetBackupSelectionCommand({
          BackupPlanId,
          SelectionId: selections.BackupSelectionsList![0].SelectionId,
        }),
      );
    },
    GetResources: () =>
      new ResourceGroupsTaggingAPIClient(config).send(
        new GetResourcesCommand({
          TagFilters: [{ Key: 'kler:environment', Values: ['moto'] }],
          ResourceTypeFilters: ['elasticfilesystem:file-system'],
        }),
      ),
    DescribeParameters: () =>
      new SSMClient(config).send(
        new DescribeParametersCommand({
          ParameterFilters: [
            {
              Key: 'Name',
              Option: 'Equals',
              Values: SERVICES.map(name => `/kler/${name}/db-password`),
            },
          ],
        }),
      ),
    DescribeSecret: async () => {
      const out = await new SecretsManagerClient(config).send(
        new DescribeSecretCommand({ SecretId: 'kler/shop-api/api-key' }),
      );
      // version ids are keys each emulator draws: compared as their stages
      return {
        ...out,
        VersionIdsToStages:
          out.VersionIdsToStages && Object.values(out.VersionIdsToStages),
      };
    },
    DescribeFileSystems: () =>
      new EFSClient(config).send(new DescribeFileSystemsCommand({})),
    DescribeMountTargets: async () => {
      const efs = new EFSClient(config);
      const { FileSystems } = await efs.send(
        new DescribeFileSystemsCommand({}),
      );
      return efs.send(
        new DescribeMountTargetsCommand({
          FileSystemId: FileSystems![0].FileSystemId,
        }),
      );
    },
    DescribeImageScanFindings: async () => {
      const { repository, digest } = IMAGES['shop-api'];
      const out = await describeImageScanFindings(config, repository, digest);
      // the counts are keyed by the severities each scan found: compared as counts
      return {
        ...out,
        imageScanFindings: {
          ...out.imageScanFindings,
          findingSeverityCounts: Object.values(
            out.imageScanFindings!.findingSeverityCounts!,
          ),
        },
      };
    },
    GetCallerIdentity: () =>
      new STSClient(config).send(new GetCallerIdentityCommand({})),
    AssumeRole: () =>
      new STSClient(config).send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/kler-reader`,
          RoleSessionName: 'portal',
        }),
      ),
  };
}

/** Calls AWS answers with an error, against one endpoint. */
function failingCalls(config: object): Record<string, () => Promise<unknown>> {
  return {
    'DescribeSecret of an unknown secret': () =>
      new SecretsManagerClient(config).send(
        new DescribeSecretCommand({ SecretId: 'kler/shop-api/nothing-here' }),
      ),
    'DescribeImageScanFindings of an image never scanned': () =>
      describeImageScanFindings(
        config,
        IMAGES.storefront.repository,
        IMAGES.storefront.digest,
      ),
    'DescribeImageScanFindings in an unknown repository': () =>
      describeImageScanFindings(
        config,
        'kler/nothing-here',
        IMAGES['shop-api'].digest,
      ),
    'DescribeImageScanFindings of an unknown image': () =>
      describeImageScanFindings(
        config,
        IMAGES['shop-api'].repository,
        sha256('no such manifest'),
      ),
  };
}

/** The error a call fails with, as the SDK reports it. */
async function errorOf(call: () => Promise<unknown>) {
  const error = await call().then(
    () => {
      throw new Error('the call succeeded where AWS fails');
    },
    (e: { name: string; message: string; $metadata?: any }) => e,
  );
  return {
    name: error.name,
    message: error.message,
    httpStatusCode: error.$metadata?.httpStatusCode,
  };
}

describe('sandbox and moto answer the same shapes', () => {
  if (!motoInstalled && !requireMoto) {
    // without moto (and without KLER_REQUIRE_MOTO=1) say loudly that nothing was compared
    it('is not checked: moto_server is not on PATH', () => {
      // eslint-disable-next-line no-console
      console.warn(
        '\n!!! moto_server is not on PATH: the moto cross-check of the AWS sandbox did NOT run. Set KLER_REQUIRE_MOTO=1 to make this fail. !!!\n',
      );
      expect(isMotoInstalled()).toBe(false);
    });
    return;
  }

  let moto: MotoServer;
  let sandbox: RunningSandbox;
  let sandboxConfig: MotoServer['clientConfig'];
  let onMoto: ReturnType<typeof calls>;
  let onSandbox: ReturnType<typeof calls>;
  let failingOnMoto: ReturnType<typeof failingCalls>;
  let failingOnSandbox: ReturnType<typeof failingCalls>;

  beforeAll(async () => {
    if (!motoInstalled)
      throw new Error('KLER_REQUIRE_MOTO=1 but moto_server is not on PATH');
    moto = await startMoto({ ports: MOTO_PORTS });
    await seedMoto(moto);
    sandbox = await startSandbox({
      scenario: SCENARIO,
      clock: { start: '2026-11-26T12:00:00Z', speed: 0 },
    });
    sandboxConfig = {
      endpoint: sandbox.url,
      region: REGION,
      credentials: moto.clientConfig.credentials,
    };
    onMoto = calls(moto.clientConfig);
    onSandbox = calls(sandboxConfig);
    failingOnMoto = failingCalls(moto.clientConfig);
    failingOnSandbox = failingCalls(sandboxConfig);
  });
  afterAll(async () => {
    await sandbox?.close();
    await moto?.stop();
  });

  it.each(Object.keys(calls({})).filter(name => !(name in NOT_IN_MOTO)))(
    '%s',
    async name => {
      const [fromSandbox, fromMoto] = [
        await onSandbox[name](),
        await onMoto[name](),
      ];
      const allowed = KNOWN_MOTO_DIFFERENCES[name] ?? {};
      const differences = diffShapes(
        shapeOf(fromSandbox),
        shapeOf(fromMoto),
      ).filter(d => !(d in allowed));
      expect(differences).toEqual([]);
    },
  );

  it.each(Object.keys(failingCalls({})))('%s: the same error', async name => {
    const [fromSandbox, fromMoto] = [
      await errorOf(failingOnSandbox[name]),
      await errorOf(failingOnMoto[name]),
    ];
    const allowed = KNOWN_MOTO_ERROR_DIFFERENCES[name] ?? {};
    const differences = (
      Object.keys(fromSandbox) as Array<keyof typeof fromSandbox>
    )
      .filter(key => fromSandbox[key] !== fromMoto[key])
      .map(key => `${key}: ${fromSandbox[key]} vs ${fromMoto[key]}`)
      .filter(d => !(d in allowed));
    expect(differences).toEqual([]);
  });

  it.each(Object.keys(MOTO_ANSWERS_NO_DATA))(
    '%s: the sandbox answers data where moto answers none',
    async name => {
      const datapoints = (out: unknown) =>
        (out as GetMetricDataCommandOutput).MetricDataResults!.flatMap(
          result => result.Values!,
        ).length;
      const [fromSandbox, fromMoto] = [
        await onSandbox[name](),
        await onMoto[name](),
      ];
      expect(datapoints(fromSandbox)).toBeGreaterThan(0);
      // when moto starts answering datapoints, compare them and drop this entry
      expect(datapoints(fromMoto)).toBe(0);
    },
  );

  it('DescribeImageScanFindings: the same scan status, and counts of severities ECR knows that tally the findings', async () => {
    const { repository, digest } = IMAGES['shop-api'];
    const answers = [
      await describeImageScanFindings(sandboxConfig, repository, digest),
      await describeImageScanFindings(moto.clientConfig, repository, digest),
    ];
    expect(answers.map(out => out.imageScanStatus!.status)).toEqual([
      ScanStatus.COMPLETE,
      ScanStatus.COMPLETE,
    ]);
    for (const { imageScanFindings } of answers) {
      const tally: Record<string, number> = {};
      for (const { severity } of imageScanFindings!.findings!) {
        tally[severity!] = (tally[severity!] ?? 0) + 1;
      }
      expect(imageScanFindings!.findingSeverityCounts).toEqual(tally);
      expect(Object.values(FindingSeverity)).toEqual(
        expect.arrayContaining(Object.keys(tally)),
      );
    }
  });

  it.each(Object.keys(MOTO_ANSWERS_FIXED_DATA))(
    "%s: moto answers its fixed findings where the sandbox answers the scenario's",
    async name => {
      const findings = (out: unknown) =>
        (out as DescribeImageScanFindingsCommandOutput).imageScanFindings!
          .findings!;
      const [fromSandbox, fromMoto] = [
        await onSandbox[name](),
        await onMoto[name](),
      ];
      const { CRITICAL, HIGH } = IMAGE_SCANS['shop-api'];
      expect(findings(fromSandbox).map(finding => finding.severity)).toEqual([
        ...Array(CRITICAL).fill('CRITICAL'),
        ...Array(HIGH).fill('HIGH'),
      ]);
      // when moto answers the findings of a scan of its own, compare them and drop this entry
      expect(findings(fromMoto).map(finding => finding.name)).toEqual([
        'CVE-9999-9999',
      ]);
    },
  );
});
