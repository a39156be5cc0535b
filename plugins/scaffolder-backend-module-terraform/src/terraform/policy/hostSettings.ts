/**
 * Refuses provider and backend settings that make Terraform read a file of
 * the host or run a program: credentials must come from the portal, never
 * from the machine the portal runs on.
 */
import { bodies, Body } from './hcl';
import { ParsedFile } from './files';
import { PolicyViolation } from './types';
import { refusal } from './violations';

/**
 * Provider and backend settings that read a file of the host or run a
 * program: a shared AWS config file runs its `credential_process`, a
 * kubeconfig its `exec` plugin.
 */
const HOST_SETTING =
  /^(exec|custom_ca_bundle|[a-z0-9_]*_(file|files|path|paths))$/;

/** Settings of a provider or backend block, nested blocks included. */
export function hostSettingViolations(
  parsed: ParsedFile,
  body: Body,
  block: string,
  header: RegExp,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (HOST_SETTING.test(key)) {
      violations.push(
        refusal(
          parsed,
          `${block} ${key}`,
          header,
          'is refused: it makes Terraform read a file of the host or run a program',
        ),
      );
    } else if (Array.isArray(value)) {
      for (const nested of bodies(value)) {
        violations.push(
          ...hostSettingViolations(parsed, nested, block, header),
        );
      }
    }
  }
  return violations;
}
