import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  BackupClient,
  CreateBackupPlanCommand,
  CreateBackupVaultCommand,
} from '@aws-sdk/client-backup';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { MotoServer } from './motoServer';

const CONTAINER_PORT = 8080;
/** The account moto answers as when none is configured. */
const MOTO_ACCOUNT = '123456789012';

export interface MotoServiceSeed {
  name: string;
  desiredCount: number;
  /** Tasks started in the group `service:NAME` (moto's services start none themselves). */
  runningTasks?: number;
  /** An ip target group on port 8080 in front of the service, with these targets registered. */
  targetGroup?: { name: string; targetIps: string[] };
  /** A scalable target for the desired count, with CPU target-tracking policies. */
  scaling?: {
    min: number;
    max: number;
    cpuTargetTracking?: { policyName: string; targetValue: number }[];
  };
}

export interface MotoAlarmSeed {
  name: string;
  /** An AWS/ECS metric; CPUUtilization unless given. */
  metric?: string;
  /** The ClusterName dimension; the seeded cluster unless given. */
  cluster?: string;
  /** The ServiceName dimension; the alarm is the cluster's when absent. */
  service?: string;
}

export interface SeedMotoEnvironmentOptions {
  cluster: string;
  /** An EC2 capacity provider over an Auto Scaling group in the default VPC's subnets. */
  capacityProvider: {
    name: string;
    autoScalingGroup: {
      name: string;
      min: number;
      max: number;
      desired: number;
    };
  };
  services: MotoServiceSeed[];
  /**
   * An internal Application Load Balancer in the default VPC's subnets, with a
   * listener per target group (ports 8001, 8002, ...) forwarding to it, so
   * each target group names the load balancer in `LoadBalancerArns`.
   */
  loadBalancer?: { name: string };
  /** The task definitions' container name; the service name unless given. */
  containerName?: string;
  alarms?: MotoAlarmSeed[];
  /** EFS file systems, tagged `Name` = name plus the given tags. */
  fileSystems?: { name: string; tags?: Record<string, string> }[];
  /** A backup vault and a plan with one daily rule into it. */
  backupPlan?: { vault: string; name: string; schedule: string };
}

export interface SeededMotoEnvironment {
  vpcId: string;
  subnets: string[];
  securityGroups: string[];
  /** Target group ARN by target group name. */
  targetGroupArns: Record<string, string>;
  /** The load balancer's ARN, when one was asked for. */
  loadBalancerArn?: string;
  /** ARNs of the tasks started, by service name. */
  taskArns: Record<string, string[]>;
  /** File system ARN by name. */
  fileSystemArns: Record<string, string>;
}

function xmlValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, 'g'))].map(
    match => match[1],
  );
}

/**
 * Seeds moto with an ECS environment as KLER's Terraform builds it: a cluster
 * with an EC2 capacity provider, Fargate services with running tasks, target
 * groups, scaling, alarms and, if asked, EFS and a backup plan. ECS tasks are
 * frozen, so that the started ones stay RUNNING.
 */
export async function seedMotoEnvironment(
  moto: MotoServer,
  options: SeedMotoEnvironmentOptions,
): Promise<SeededMotoEnvironment> {
  const config = moto.clientConfig;
  const { cluster } = options;
  await moto.freezeEcsTasks();

  // moto's default VPC has a subnet per zone and a default security group
  const vpcId = xmlValues(
    await moto.query('ec2', { Action: 'DescribeVpcs' }),
    'vpcId',
  )[0];
  const subnets = xmlValues(
    await moto.query('ec2', { Action: 'DescribeSubnets' }),
    'subnetId',
  );
  const securityGroups = xmlValues(
    await moto.query('ec2', { Action: 'DescribeSecurityGroups' }),
    'groupId',
  ).slice(0, 1);
  const network = { awsvpcConfiguration: { subnets, securityGroups } };

  const elb = new ElasticLoadBalancingV2Client(config);
  const targetGroupArns: Record<string, string> = {};
  for (const { targetGroup } of options.services) {
    if (!targetGroup) continue;
    const created = await elb.send(
      new CreateTargetGroupCommand({
        Name: targetGroup.name,
        Protocol: 'HTTP',
        Port: CONTAINER_PORT,
        VpcId: vpcId,
        TargetType: 'ip',
      }),
    );
    const arn = created.TargetGroups![0].TargetGroupArn!;
    targetGroupArns[targetGroup.name] = arn;
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: targetGroup.targetIps.map(Id => ({
          Id,
          Port: CONTAINER_PORT,
        })),
      }),
    );
  }

  let loadBalancerArn: string | undefined;
  if (options.loadBalancer) {
    const created = await elb.send(
      new CreateLoadBalancerCommand({
        Name: options.loadBalancer.name,
        Type: 'application',
        Scheme: 'internal',
        Subnets: subnets,
        SecurityGroups: securityGroups,
      }),
    );
    loadBalancerArn = created.LoadBalancers![0].LoadBalancerArn!;
    let port = 8000;
    for (const arn of Object.values(targetGroupArns)) {
      port += 1;
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: loadBalancerArn,
          Protocol: 'HTTP',
          Port: port,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: arn }],
        }),
      );
    }
  }

  const { capacityProvider } = options;
  const group = capacityProvider.autoScalingGroup;
  const autoScaling = new AutoScalingClient(config);
  await autoScaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: capacityProvider.name,
      ImageId: 'ami-12c6146b',
      InstanceType: 'm6i.large',
    }),
  );
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: group.name,
      LaunchConfigurationName: capacityProvider.name,
      MinSize: group.min,
      MaxSize: group.max,
      DesiredCapacity: group.desired,
      VPCZoneIdentifier: subnets.join(','),
    }),
  );
  const asg = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({
      AutoScalingGroupNames: [group.name],
    }),
  );

  const ecs = new ECSClient(config);
  await ecs.send(
    new CreateCapacityProviderCommand({
      name: capacityProvider.name,
      autoScalingGroupProvider: {
        autoScalingGroupArn: asg.AutoScalingGroups![0].AutoScalingGroupARN!,
        managedScaling: { status: 'ENABLED', targetCapacity: 100 },
      },
    }),
  );
  await ecs.send(
    new CreateClusterCommand({
      clusterName: cluster,
      capacityProviders: ['FARGATE', capacityProvider.name],
    }),
  );

  const taskArns: Record<string, string[]> = {};
  for (const service of options.services) {
    const containerName = options.containerName ?? service.name;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: service.name,
        taskRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${service.name}-task`,
        executionRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${service.name}-execution`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: containerName,
            image: `kler/${service.name}:1`,
            cpu: 256,
            memory: 512,
            essential: true,
            portMappings: [
              {
                containerPort: CONTAINER_PORT,
                hostPort: CONTAINER_PORT,
                protocol: 'tcp',
              },
            ],
            environment: [{ name: 'LOG_LEVEL', value: 'info' }],
            secrets: [
              {
                name: 'DB_PASSWORD',
                valueFrom: `/kler/${service.name}/db-password`,
              },
            ],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': `/ecs/${cluster}/${service.name}`,
                'awslogs-region': 'eu-west-1',
                'awslogs-stream-prefix': service.name,
              },
            },
          },
        ],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service.name,
        taskDefinition: service.name,
        desiredCount: service.desiredCount,
        launchType: 'FARGATE',
        networkConfiguration: network,
        loadBalancers: service.targetGroup
          ? [
              {
                targetGroupArn: targetGroupArns[service.targetGroup.name],
                containerName,
                containerPort: CONTAINER_PORT,
              },
            ]
          : undefined,
      }),
    );
    taskArns[service.name] = [];
    if (service.runningTasks) {
      // start the tasks as the service scheduler would
      const run = await ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition: service.name,
          count: service.runningTasks,
          group: `service:${service.name}`,
          launchType: 'FARGATE',
          networkConfiguration: network,
        }),
      );
      taskArns[service.name] = run.tasks!.map(task => task.taskArn!);
    }
  }

  const scaling = new ApplicationAutoScalingClient(config);
  for (const service of options.services) {
    if (!service.scaling) continue;
    const target = {
      ServiceNamespace: 'ecs' as const,
      ResourceId: `service/${cluster}/${service.name}`,
      ScalableDimension: 'ecs:service:DesiredCount' as const,
    };
    await scaling.send(
      new RegisterScalableTargetCommand({
        ...target,
        MinCapacity: service.scaling.min,
        MaxCapacity: service.scaling.max,
      }),
    );
    for (const policy of service.scaling.cpuTargetTracking ?? []) {
      await scaling.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: policy.policyName,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: policy.targetValue,
            PredefinedMetricSpecification: {
              PredefinedMetricType: 'ECSServiceAverageCPUUtilization',
            },
          },
        }),
      );
    }
  }

  const cloudWatch = new CloudWatchClient(config);
  for (const alarm of options.alarms ?? []) {
    const dimensions = [
      { Name: 'ClusterName', Value: alarm.cluster ?? cluster },
    ];
    if (alarm.service) {
      dimensions.push({ Name: 'ServiceName', Value: alarm.service });
    }
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm.name,
        Namespace: 'AWS/ECS',
        MetricName: alarm.metric ?? 'CPUUtilization',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: dimensions,
      }),
    );
  }

  const fileSystemArns: Record<string, string> = {};
  for (const fileSystem of options.fileSystems ?? []) {
    const created = await moto.restJson(
      'elasticfilesystem',
      '/2015-02-01/file-systems',
      {
        CreationToken: fileSystem.name,
        Tags: Object.entries({ Name: fileSystem.name, ...fileSystem.tags }).map(
          ([Key, Value]) => ({ Key, Value }),
        ),
      },
    );
    fileSystemArns[fileSystem.name] = created.FileSystemArn;
  }

  if (options.backupPlan) {
    const { vault, name, schedule } = options.backupPlan;
    const backup = new BackupClient(config);
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: vault }));
    await backup.send(
      new CreateBackupPlanCommand({
        BackupPlan: {
          BackupPlanName: name,
          Rules: [
            {
              RuleName: 'daily',
              TargetBackupVaultName: vault,
              ScheduleExpression: schedule,
              Lifecycle: { DeleteAfterDays: 35 },
            },
          ],
        },
      }),
    );
  }

  return {
    vpcId,
    subnets,
    securityGroups,
    targetGroupArns,
    loadBalancerArn,
    taskArns,
    fileSystemArns,
  };
}
