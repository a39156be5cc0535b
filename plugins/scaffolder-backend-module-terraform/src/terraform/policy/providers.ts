/**
 * Refuses providers outside `kler.terraform.allowedProviders`: `init`
 * downloads and runs them. Every block that needs a provider is checked (its
 * `required_providers` entry, `provider` blocks, resources, data sources,
 * ephemeral resources and imports), the local name followed to its source
 * through `required_providers` of the block's module directory.
 */
import { ParsedFile } from './files';
import { bodies, Body, escapeRegExp, headerPattern, isBody } from './hcl';
import { hostSettingViolations } from './hostSettings';
import { PolicyViolation, TerraformContentPolicy } from './types';
import { refusal } from './violations';

/** Providers built into Terraform itself. */
const BUILTIN_PROVIDERS = new Set(['terraform']);

/** `hashicorp/aws` and `registry.terraform.io/hashicorp/aws` are one provider. */
export function normalizeProviderSource(source: string): string {
  const parts = source.trim().toLowerCase().split('/');
  if (parts.length === 2) return `registry.terraform.io/${parts.join('/')}`;
  return parts.join('/');
}

/** Refuses a block of `parsed` whose provider, by local name, is not allowed. */
export type ProviderCheck = (
  parsed: ParsedFile,
  localName: string,
  block: string,
  header: RegExp,
) => PolicyViolation[];

/** The provider check of a configuration, given all its parsed files. */
export function providerCheck(
  files: ParsedFile[],
  policy: TerraformContentPolicy,
): ProviderCheck {
  const allowedProviders = new Set(
    policy.allowedProviders.map(normalizeProviderSource),
  );

  // Provider local names and their sources, per module directory.
  const sourcesByDirectory = new Map<string, Map<string, string>>();
  for (const parsed of files) {
    const sources =
      sourcesByDirectory.get(parsed.directory) ?? new Map<string, string>();
    sourcesByDirectory.set(parsed.directory, sources);
    for (const terraform of bodies(parsed.body.terraform)) {
      for (const required of bodies(terraform.required_providers)) {
        for (const [name, requirement] of Object.entries(required)) {
          const source =
            isBody(requirement) && typeof requirement.source === 'string'
              ? requirement.source
              : `hashicorp/${name}`;
          sources.set(name, source);
        }
      }
    }
  }

  return (parsed, localName, block, header) => {
    const declared = sourcesByDirectory.get(parsed.directory)!.get(localName);
    // Built in unless required_providers gives the name another source.
    if (
      BUILTIN_PROVIDERS.has(localName) &&
      (declared === undefined ||
        normalizeProviderSource(declared) ===
          `terraform.io/builtin/${localName}`)
    ) {
      return [];
    }
    const source = declared ?? `hashicorp/${localName}`;
    if (allowedProviders.has(normalizeProviderSource(source))) return [];
    return [
      refusal(
        parsed,
        block,
        header,
        `needs the provider ${source}, which is not in kler.terraform.allowedProviders (${policy.allowedProviders.join(
          ', ',
        )})`,
      ),
    ];
  };
}

/** The provider local name a `provider = aws.east` meta-argument names. */
export function explicitProvider(body: Body): string | undefined {
  return typeof body.provider === 'string'
    ? /^\$\{([A-Za-z0-9_-]+)(\.|\})/.exec(body.provider)?.[1] ??
        body.provider.split('.')[0]
    : undefined;
}

/** The `required_providers` entries of one `terraform` block. */
export function requiredProviderViolations(
  parsed: ParsedFile,
  terraform: Body,
  checkProvider: ProviderCheck,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const required of bodies(terraform.required_providers)) {
    for (const name of Object.keys(required)) {
      violations.push(
        ...checkProvider(
          parsed,
          name,
          `required_providers ${name}`,
          new RegExp(`^[ \\t]*"?${escapeRegExp(name)}"?\\s*=`, 'm'),
        ),
      );
    }
  }
  return violations;
}

/** The `provider` blocks of a file, and their settings that read host files. */
export function providerBlockViolations(
  parsed: ParsedFile,
  checkProvider: ProviderCheck,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const providers = isBody(parsed.body.provider) ? parsed.body.provider : {};
  for (const [name, value] of Object.entries(providers)) {
    const header = headerPattern('provider', name);
    violations.push(
      ...checkProvider(parsed, name, `provider "${name}"`, header),
    );
    for (const body of bodies(value)) {
      violations.push(
        ...hostSettingViolations(parsed, body, `provider "${name}"`, header),
      );
    }
  }
  return violations;
}

/** The `import` blocks of a file that name a provider. */
export function importViolations(
  parsed: ParsedFile,
  checkProvider: ProviderCheck,
): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const imported of bodies(parsed.body.import)) {
    const provider = explicitProvider(imported);
    if (provider) {
      violations.push(
        ...checkProvider(parsed, provider, 'import', headerPattern('import')),
      );
    }
  }
  return violations;
}
