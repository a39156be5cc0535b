/**
 * Refuses backends outside `kler.terraform.allowedBackends` (state goes where
 * the platform keeps it), their settings that read files of the host, and
 * `cloud`: runs go through the portal, not HCP Terraform.
 */
import { ParsedFile } from './files';
import { bodies, Body, headerPattern, isBody } from './hcl';
import { hostSettingViolations } from './hostSettings';
import { PolicyViolation, TerraformContentPolicy } from './types';
import { refusal } from './violations';

/** The backend and cloud blocks of one `terraform` block. */
export function backendViolations(
  parsed: ParsedFile,
  terraform: Body,
  policy: TerraformContentPolicy,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const backends = isBody(terraform.backend) ? terraform.backend : {};
  for (const [type, value] of Object.entries(backends)) {
    const header = headerPattern('backend', type);
    if (!policy.allowedBackends.includes(type)) {
      violations.push(
        refusal(
          parsed,
          `backend "${type}"`,
          header,
          `is not in kler.terraform.allowedBackends (${policy.allowedBackends.join(
            ', ',
          )})`,
        ),
      );
    }
    for (const body of bodies(value)) {
      violations.push(
        ...hostSettingViolations(parsed, body, `backend "${type}"`, header),
      );
    }
  }
  if (terraform.cloud !== undefined) {
    violations.push(
      refusal(
        parsed,
        'cloud',
        headerPattern('cloud'),
        'is refused: runs go through the portal, not HCP Terraform',
      ),
    );
  }
  return violations;
}
