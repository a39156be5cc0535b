/**
 * Refuses what runs a program or reaches outside the configuration whatever
 * its provider: the data sources `external`, `http` and
 * `terraform_remote_state` (`plan` runs data sources), and every provisioner,
 * of resources and of `removed` blocks alike.
 */
import { ParsedFile } from './files';
import { bodies, Body, headerPattern } from './hcl';
import { PolicyViolation } from './types';
import { refusal } from './violations';

/** Data sources that run a program or fetch from anywhere, whatever their provider. */
const REFUSED_DATA_SOURCES: Record<string, string> = {
  external: 'runs a program on the host',
  http: 'fetches from any URL',
  terraform_remote_state: "reads another configuration's state",
};

/** The refusal of a data source of a refused type, if it is one. */
export function refusedDataSourceViolation(
  parsed: ParsedFile,
  type: string,
  block: string,
  header: RegExp,
): PolicyViolation | undefined {
  return REFUSED_DATA_SOURCES[type]
    ? refusal(
        parsed,
        block,
        header,
        `is refused: it ${REFUSED_DATA_SOURCES[type]}`,
      )
    : undefined;
}

/** The provisioners of a block's body. */
export function provisionerViolations(
  parsed: ParsedFile,
  body: Body,
  block: string,
  header: RegExp,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const provisioners of bodies(body.provisioner)) {
    for (const provisioner of Object.keys(provisioners)) {
      violations.push(
        refusal(
          parsed,
          `${block} provisioner "${provisioner}"`,
          header,
          'is refused: provisioners run programs on the host or on machines the configuration names',
        ),
      );
    }
  }
  return violations;
}

/** Terraform runs the destroy-time provisioners of a removed block. */
export function removedBlockViolations(parsed: ParsedFile): PolicyViolation[] {
  return bodies(parsed.body.removed).flatMap(removed =>
    provisionerViolations(parsed, removed, 'removed', headerPattern('removed')),
  );
}
