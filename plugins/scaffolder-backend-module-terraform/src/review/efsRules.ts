import {
  TerraformConfiguration,
  TerraformResource,
  blocksOf,
} from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { jsonDocument } from './jsonDocuments';
import { UnknownValue, Value, isObject } from './values';
import {
  ReviewFinding,
  ReviewRule,
  about,
  createdResources,
  describeValue,
  presentBlocks,
} from './reviewRule';

/** Actions that let an NFS client mount a file system. */
const MOUNT_ACTION = /^(\*|elasticfilesystem:(\*|client\*|clientmount))$/i;

interface Statement {
  effect: Value;
  actions: Value[];
  sid?: string;
}

/** The statements of a policy document, or undefined when they cannot be read. */
function statementsOf(document: Value | undefined): Statement[] | undefined {
  if (!isObject(document)) return undefined;
  const raw = document.Statement;
  const list = isObject(raw) ? [raw] : raw;
  if (!Array.isArray(list) || !list.every(isObject)) return undefined;
  return list.map(statement => {
    const action = statement.Action ?? null;
    return {
      effect: statement.Effect ?? null,
      actions: Array.isArray(action) ? action : [action],
      ...(typeof statement.Sid === 'string' && { sid: statement.Sid }),
    };
  });
}

/**
 * `efs-policy-denies-mounts`: an `aws_efs_file_system_policy` with a Deny
 * statement and no Allow of mounting (`elasticfilesystem:ClientMount`,
 * `elasticfilesystem:*` or `*`). Once a file system has a policy, EFS
 * refuses whatever the policy does not allow, so a policy written only to
 * deny insecure transport refuses every mount, the tasks' included.
 *
 * Sees policies written with `jsonencode({...})`, as a JSON string or
 * heredoc, or as an `aws_iam_policy_document` data source of the same
 * module. Reports nothing when the policy, a statement's effect or an
 * action is an expression it cannot work out, or the document merges in
 * other documents. Does not check which principals an Allow names (see
 * `efs-mount-without-iam`).
 */
export const efsPolicyDeniesMounts: ReviewRule = {
  id: 'efs-policy-denies-mounts',
  checks:
    'An EFS file system policy that denies (e.g. insecure transport) without allowing elasticfilesystem:ClientMount refuses every mount',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    const problems: ReviewFinding[] = [];
    for (const policy of createdResources(
      evaluator,
      'aws_efs_file_system_policy',
    )) {
      const statements = statementsOf(
        jsonDocument(evaluator, policy.module, policy.attributes.policy),
      );
      if (
        !statements ||
        statements.some(
          statement =>
            typeof statement.effect !== 'string' ||
            statement.actions.some(action => typeof action !== 'string'),
        )
      ) {
        continue;
      }
      const denies = statements.filter(s => s.effect === 'Deny');
      const allowsMount = statements.some(
        s =>
          s.effect === 'Allow' &&
          s.actions.some(action => MOUNT_ACTION.test(action as string)),
      );
      if (denies.length === 0 || allowsMount) continue;
      const names = denies
        .map(statement => statement.sid ?? 'unnamed')
        .join(', ');
      problems.push({
        severity: 'error',
        ...about(policy),
        message: `${policy.type}.${policy.name} only denies (${names}) and allows no mount: once a file system has a policy, EFS refuses every mount the policy does not allow, so the tasks cannot mount it`,
        fix: 'Add a statement { Effect = "Allow", Principal = { AWS = [<the task roles\' ARNs>] }, Action = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], Resource = <the file system\'s ARN> } beside the Deny, and mount with IAM authorization (efs_volume_configuration { authorization_config { iam = "ENABLED" } })',
      });
    }
    return problems;
  },
};

/** The EFS volumes a task definition may have, static or dynamic. */
function efsVolumesOf(
  evaluator: ConfigurationEvaluator,
  task: TerraformResource,
) {
  return presentBlocks(
    evaluator,
    task.module,
    task.attributes,
    'volume',
  ).flatMap(volume => blocksOf(volume, 'efs_volume_configuration'));
}

/**
 * `efs-mount-without-iam`: a task definition mounting EFS without
 * `authorization_config { iam = "ENABLED" }` while the configuration gives
 * a file system a policy. Without IAM authorization the mount is anonymous:
 * statements for the task role do not apply to it.
 *
 * Sees `volume` blocks, dynamic ones included. Does not match a task
 * definition to its file system: any EFS policy in the configuration counts.
 */
export const efsMountWithoutIam: ReviewRule = {
  id: 'efs-mount-without-iam',
  checks:
    'ECS tasks mount EFS with IAM authorization when a file system policy exists, so statements for the task role apply',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    if (
      createdResources(evaluator, 'aws_efs_file_system_policy').length === 0
    ) {
      return [];
    }
    return createdResources(evaluator, 'aws_ecs_task_definition').flatMap(
      task => {
        const anonymous = efsVolumesOf(evaluator, task).filter(volume => {
          const iam = blocksOf(volume, 'authorization_config').map(config =>
            evaluator.evaluate(task.module, config.iam),
          );
          return !iam.some(
            value => value === 'ENABLED' || value instanceof UnknownValue,
          );
        });
        if (anonymous.length === 0) return [];
        return [
          {
            severity: 'warning',
            ...about(task),
            message: `${task.type}.${task.name} mounts EFS without IAM authorization: the mount is anonymous, so a file system policy's statements for the task role do not apply to it`,
            fix: 'In efs_volume_configuration, set authorization_config { iam = "ENABLED" } (it needs transit_encryption = "ENABLED") and allow the task role in the file system policy',
          },
        ];
      },
    );
  },
};

/**
 * `efs-transit-unencrypted`: a task definition's EFS volume without
 * `transit_encryption = "ENABLED"`: NFS traffic in clear text.
 *
 * Sees `volume` blocks, dynamic ones included; an expression it cannot work
 * out is not reported.
 */
export const efsTransitUnencrypted: ReviewRule = {
  id: 'efs-transit-unencrypted',
  checks: 'ECS tasks mount EFS with TLS (transit_encryption = "ENABLED")',
  review(configuration: TerraformConfiguration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    return createdResources(evaluator, 'aws_ecs_task_definition').flatMap(
      task =>
        efsVolumesOf(evaluator, task)
          .map(volume =>
            'transit_encryption' in volume
              ? evaluator.evaluate(task.module, volume.transit_encryption)
              : undefined,
          )
          .filter(
            value => value !== 'ENABLED' && !(value instanceof UnknownValue),
          )
          .slice(0, 1)
          .map(value => ({
            severity: 'error',
            ...about(task),
            message: `${task.type}.${
              task.name
            } mounts EFS with transit_encryption ${describeValue(
              value,
            )}: file data crosses the network unencrypted`,
            fix: 'Set transit_encryption = "ENABLED" in efs_volume_configuration',
          })),
    );
  },
};

export const efsRules: ReviewRule[] = [
  efsPolicyDeniesMounts,
  efsMountWithoutIam,
  efsTransitUnencrypted,
];
