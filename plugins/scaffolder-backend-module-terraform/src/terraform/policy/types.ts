/**
 * What a Terraform configuration may use, from `kler.terraform`. Terraform
 * configuration is code: `init` downloads and runs providers, `plan` runs data
 * sources. The policy is checked before any of that.
 */
export interface TerraformContentPolicy {
  /** Provider sources, e.g. `hashicorp/aws` (registry.terraform.io implied). */
  allowedProviders: string[];
  /** Prefixes of module sources beyond local paths, e.g. `app.terraform.io/kler/`. */
  allowedModuleSources: string[];
  /** Backend types, e.g. `s3`. */
  allowedBackends: string[];
}

/** One refusal: the file, the block and why. */
export interface PolicyViolation {
  file: string;
  line?: number;
  block: string;
  reason: string;
}
