import {
  TerraformConfiguration,
  addressOf,
  blocksOf,
  escapeRegExp,
  isBody,
  lineAt,
} from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { jsonDocument } from './jsonDocuments';
import { UnknownValue, isObject } from './values';
import {
  ReviewFinding,
  ReviewRule,
  about,
  attributeOf,
  createdResources,
} from './reviewRule';

/** Names of settings that hold secrets. */
const SECRET_NAME =
  /(passw(or)?d|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|(^|[_-])key$)/i;

/** Names that mention a secret without holding one: its ARN, id, path, ... */
const NOT_A_SECRET =
  /([_-](arn|arns|id|ids|name|names|path|file|parameter|param|version|ttl|length|count|enabled|type|days)$|^kms[_-]|public[_-]?key)/i;

/** Literal values that are credentials whatever their name. */
const CREDENTIAL_VALUES = [
  /^(AKIA|ASIA)[0-9A-Z]{16}$/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^gh[pousr]_[A-Za-z0-9]{36,}$/,
  /^xox[abposr]-/,
  // A URL with a password: scheme://user:password@host
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i,
];

export function looksLikeSecretName(name: string) {
  return SECRET_NAME.test(name) && !NOT_A_SECRET.test(name);
}

export function looksLikeCredential(value: string) {
  return CREDENTIAL_VALUES.some(pattern => pattern.test(value));
}

const SECRETS_FIX =
  'Pass it in the container definition\'s secrets instead: { name = "<NAME>", valueFrom = <the ARN of an SSM SecureString parameter or a Secrets Manager secret> }, with the execution role allowed ssm:GetParameters (or secretsmanager:GetSecretValue) on it';

/**
 * `task-definition-plaintext-secret`: a container definition's
 * `environment` entry whose name looks like a secret (password, secret,
 * token, key, credential..., not an ARN, id or path), or whose literal value
 * looks like a credential (an AWS access key, a private key, a GitHub or
 * Slack token, a URL with a password). Environment values are plain text in
 * the task definition: anyone who may describe it, the console and the state
 * see them. Messages name the entry, never its value.
 *
 * Sees `container_definitions` written with `jsonencode`, as JSON text or a
 * heredoc, including entries built by a `for` over a variable it can work
 * out (a default, a module argument, the values file); an environment it
 * cannot work out is not reported.
 */
export const taskDefinitionPlaintextSecret: ReviewRule = {
  id: 'task-definition-plaintext-secret',
  checks:
    "No secret in a task definition's environment (by name or by value): secrets come through secrets/valueFrom",
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    const findings: ReviewFinding[] = [];
    for (const task of createdResources(evaluator, 'aws_ecs_task_definition')) {
      const containers = jsonDocument(
        evaluator,
        task.module,
        task.attributes.container_definitions,
      );
      for (const container of Array.isArray(containers) ? containers : []) {
        const environment = isObject(container)
          ? container.environment
          : undefined;
        for (const entry of Array.isArray(environment) ? environment : []) {
          if (!isObject(entry)) continue;
          const { name, value } = entry;
          const byName = typeof name === 'string' && looksLikeSecretName(name);
          const byValue =
            typeof value === 'string' && looksLikeCredential(value);
          if (!byName && !byValue) continue;
          const label = typeof name === 'string' ? name : 'an entry';
          findings.push({
            severity: 'error',
            ...about(task),
            message: `${addressOf(
              task,
            )} puts ${label} in a container's environment${
              byValue ? ' with a literal credential as its value' : ''
            }: environment values are plain text in the task definition, for anyone who may describe it and in the state`,
            fix: SECRETS_FIX.replace('<NAME>', label),
          });
        }
      }
    }
    return findings;
  },
};

/** Whether a resource's lifecycle ignores changes of an attribute. */
function ignoresChanges(
  attributes: Record<string, unknown>,
  name: string,
): boolean {
  return blocksOf(attributes, 'lifecycle').some(lifecycle =>
    new RegExp(`(^|[^\\w])${name}([^\\w]|$)`).test(
      JSON.stringify(lifecycle.ignore_changes ?? ''),
    ),
  );
}

/**
 * `ssm-secure-string-value`: an `aws_ssm_parameter` of type SecureString
 * with a `value`. Terraform keeps `value` in its state in plain text, and
 * the provider reads the current value back at every refresh: a placeholder
 * with `ignore_changes = [value]`, whose real value is set out of band,
 * still ends up in the state. `value_wo` (write-only, Terraform 1.11+) is
 * never stored.
 *
 * Sees a literal or expression `type`; reports nothing when the type is an
 * expression it cannot work out.
 */
export const ssmSecureStringValue: ReviewRule = {
  id: 'ssm-secure-string-value',
  checks:
    'SecureString parameters have no value in Terraform (value_wo, or created out of band), so no secret lands in the state',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    return createdResources(evaluator, 'aws_ssm_parameter')
      .filter(
        parameter =>
          attributeOf(evaluator, parameter, 'type') === 'SecureString' &&
          'value' in parameter.attributes,
      )
      .map(parameter => {
        const value = attributeOf(evaluator, parameter, 'value');
        const ignored = ignoresChanges(parameter.attributes, 'value');
        const address = addressOf(parameter);
        return {
          severity: 'error' as const,
          ...about(parameter),
          message:
            value instanceof UnknownValue
              ? `${address} is a SecureString whose value (${value.expression}) Terraform stores in its state in plain text`
              : `${address} is a SecureString with a literal value${
                  ignored
                    ? ' and ignore_changes = [value]: the placeholder is in the configuration, and the provider reads the real value set out of band into the state at every refresh'
                    : ': the secret is in the configuration and, in plain text, in the state'
                }`,
          fix: "Write the value with value_wo and value_wo_version (write-only, never stored; needs Terraform 1.11+), or create the parameter out of band and pass only its ARN to the task definition's secrets",
        };
      });
  },
};

interface SecretSetting {
  path: string;
  /** The setting's own name, the last part of its path. */
  key: string;
}

/** Settings under secret-looking names with a non-empty string value, at any depth. */
function secretSettings(
  value: unknown,
  path: string,
  key: string,
): SecretSetting[] {
  if (typeof value === 'string') {
    return value !== '' && looksLikeSecretName(key) ? [{ path, key }] : [];
  }
  if (isBody(value)) {
    return Object.entries(value).flatMap(([name, item]) =>
      secretSettings(item, `${path}.${name}`, name),
    );
  }
  return [];
}

/**
 * `secret-in-variables`: a values file entry or a variable default under a
 * secret-looking name (see `task-definition-plaintext-secret`) with a
 * non-empty string value: the values file is committed with the
 * environment, and both reach the state. Messages name the setting, never
 * its value. A value that is not under such a name is not seen.
 */
export const secretInVariables: ReviewRule = {
  id: 'secret-in-variables',
  checks:
    "No secret in terraform.tfvars.json or in a variable's default (by name)",
  review(configuration: TerraformConfiguration) {
    const findings: ReviewFinding[] = [];
    const fix =
      'Remove the value; keep the secret in SSM Parameter Store or Secrets Manager and pass its ARN (valueFrom) instead of its value';
    const values = configuration.variableValues;
    for (const [name, value] of Object.entries(values?.values ?? {})) {
      for (const setting of secretSettings(value, `var.${name}`, name)) {
        // The last file that names it set it.
        const key = new RegExp(`"${escapeRegExp(setting.key)}"\\s*:`);
        const file =
          [...values!.files]
            .reverse()
            .find(candidate => key.test(candidate.text)) ??
          values!.files[values!.files.length - 1];
        findings.push({
          severity: 'error',
          at: { module: '', file: file.file, line: lineAt(file.text, key) },
          resource: setting.path,
          message: `${setting.path} holds a secret in ${file.file}: the values file is committed with the environment and the value lands in the state`,
          fix,
        });
      }
    }
    for (const variable of configuration.variables) {
      if (!variable.hasDefault) continue;
      for (const setting of secretSettings(
        variable.default,
        `var.${variable.name}`,
        variable.name,
      )) {
        findings.push({
          severity: 'error',
          at: variable,
          resource: setting.path,
          message: `${setting.path} has a secret as its default in ${variable.file}`,
          fix,
        });
      }
    }
    return findings;
  },
};

export const secretRules: ReviewRule[] = [
  taskDefinitionPlaintextSecret,
  ssmSecureStringValue,
  secretInVariables,
];
