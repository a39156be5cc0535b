import type { EnvironmentSpec, ResourceSpec } from '../scenario/schema';
import { hexId, uuid } from './random';

/** ARNs and ids of an environment's resources, all derived from names. */
export class EnvironmentNames {
  private loadBalancer?: string;
  private vpc?: string;

  constructor(private readonly seed: string, readonly env: EnvironmentSpec) {}

  private get prefix() {
    return `${this.env.region}:${this.env.account}`;
  }

  get clusterArn() {
    return `arn:aws:ecs:${this.prefix}:cluster/${this.env.cluster}`;
  }

  serviceArn(service: string) {
    return `arn:aws:ecs:${this.prefix}:service/${this.env.cluster}/${service}`;
  }

  taskArn(taskId: string) {
    return `arn:aws:ecs:${this.prefix}:task/${this.env.cluster}/${taskId}`;
  }

  taskDefinitionArn(service: string, revision: number) {
    return `arn:aws:ecs:${this.prefix}:task-definition/${this.env.cluster}-${service}:${revision}`;
  }

  containerInstanceArn(instanceId: string) {
    return `arn:aws:ecs:${this.prefix}:container-instance/${
      this.env.cluster
    }/${hexId(32, this.seed, instanceId)}`;
  }

  capacityProviderArn(name: string) {
    return `arn:aws:ecs:${this.prefix}:capacity-provider/${name}`;
  }

  autoScalingGroupArn(name: string) {
    return `arn:aws:autoscaling:${this.prefix}:autoScalingGroup:${uuid(
      this.seed,
      'asg',
      this.env.account,
      name,
    )}:autoScalingGroupName/${name}`;
  }

  targetGroupArn(name: string) {
    return `arn:aws:elasticloadbalancing:${
      this.prefix
    }:targetgroup/${name}/${hexId(
      16,
      this.seed,
      'tg',
      this.env.account,
      name,
    )}`;
  }

  /** The environment's Application Load Balancer, named after the cluster. */
  get loadBalancerName() {
    return this.env.cluster;
  }

  loadBalancerArn() {
    this.loadBalancer ??= `arn:aws:elasticloadbalancing:${
      this.prefix
    }:loadbalancer/app/${this.loadBalancerName}/${hexId(
      16,
      this.seed,
      'alb',
      this.env.account,
      this.env.cluster,
    )}`;
    return this.loadBalancer;
  }

  vpcId() {
    this.vpc ??= `vpc-${hexId(
      17,
      this.seed,
      'vpc',
      this.env.account,
      this.env.region,
    )}`;
    return this.vpc;
  }

  alarmArn(name: string) {
    return `arn:aws:cloudwatch:${this.prefix}:alarm:${name}`;
  }

  scalableTargetArn(service: string) {
    return `arn:aws:application-autoscaling:${
      this.prefix
    }:scalable-target/${hexId(
      32,
      this.seed,
      'target',
      this.env.cluster,
      service,
    )}`;
  }

  resourceId(service: string) {
    return `service/${this.env.cluster}/${service}`;
  }

  scalingPolicyArn(service: string, policy: string) {
    return `arn:aws:autoscaling:${this.prefix}:scalingPolicy:${uuid(
      this.seed,
      'policy',
      this.env.cluster,
      service,
      policy,
    )}:resource/ecs/${this.resourceId(service)}:policyName/${policy}`;
  }

  vaultArn() {
    return `arn:aws:backup:${this.prefix}:backup-vault:${this.env.vault}`;
  }

  backupPlanId(plan: string) {
    return uuid(this.seed, 'plan', this.env.account, this.env.region, plan);
  }

  backupPlanArn(plan: string) {
    return `arn:aws:backup:${this.prefix}:backup-plan:${this.backupPlanId(
      plan,
    )}`;
  }

  backupPlanVersion(plan: string) {
    return hexId(48, this.seed, 'plan-version', this.env.account, plan);
  }

  backupRuleId(plan: string, rule: string) {
    return uuid(this.seed, 'rule', this.env.account, plan, rule);
  }

  backupSelectionId(plan: string, selection: string) {
    return uuid(this.seed, 'selection', this.env.account, plan, selection);
  }

  backupRoleArn() {
    return `arn:aws:iam::${this.env.account}:role/service-role/AWSBackupDefaultServiceRole`;
  }

  resourceArn(resource: ResourceSpec) {
    if (resource.type === 'efs') {
      return `arn:aws:elasticfilesystem:${this.prefix}:file-system/fs-${hexId(
        17,
        this.seed,
        'efs',
        this.env.account,
        resource.name,
      )}`;
    }
    return `arn:aws:rds:${this.prefix}:db:${resource.name}`;
  }

  recoveryPointArn(resource: ResourceSpec, jobId: string) {
    if (resource.type === 'rds') {
      return `arn:aws:rds:${this.prefix}:snapshot:awsbackup:job-${jobId}`;
    }
    return `arn:aws:backup:${this.prefix}:recovery-point:${jobId}`;
  }

  workloadArn(workloadId: string) {
    return `arn:aws:wellarchitected:${this.prefix}:workload/${workloadId}`;
  }
}
