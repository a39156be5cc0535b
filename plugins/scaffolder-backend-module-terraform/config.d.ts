import { HumanDuration } from '@backstage/types';

export interface Config {
  kler?: {
    /** How KLER's scaffolder actions run Terraform. */
    terraform?: {
      /**
       * The CLI to run: a name on PATH or a path. `tofu` works too.
       * Default: `terraform`.
       */
      binary?: string;
      /** Minutes before a Terraform action is interrupted. Default: 30. */
      timeoutMinutes?: number;
      /**
       * Seconds Terraform gets after SIGINT (cancellation or timeout) to release
       * its state lock and save state before it is killed. Default: 60.
       */
      cancelGraceSeconds?: number;
      /**
       * Backend settings passed to `terraform init` as
       * `-backend-config=key=value`, e.g. the S3 state bucket. A plan step's
       * `backendConfig` input overrides single keys. Default: none, so a
       * configuration without a backend block uses the local backend.
       */
      backendConfig?: { [key: string]: string };
      /** Shared provider cache (plugin_cache_dir of Terraform's CLI config). */
      pluginCacheDir?: string;
      /**
       * A directory of provider packages (Terraform's filesystem_mirror layout)
       * tried before the registry. Dry runs install providers only from here.
       */
      providerMirror?: string;
      /**
       * Terraform processes this backend runs at once; further runs wait
       * their turn. Default: 2.
       */
      maxConcurrentRuns?: number;
      /**
       * The only AWS accounts Terraform may plan or apply in, and their tier.
       * A template names an environment or an account, never a tier: the
       * tier, and so whether the production permission is needed, is decided
       * here. An account not listed is refused before any credentials are
       * fetched. Credentials come from the `aws` config.
       */
      accounts?: Array<{
        /** The 12-digit account id. */
        accountId: string;
        /** `development` or `production`. */
        tier: 'development' | 'production';
        /** The regions allowed in the account. Default: any. */
        regions?: string[];
      }>;
      /**
       * Provider sources a configuration may require, e.g. `hashicorp/aws`.
       * Default: `['hashicorp/aws']`.
       */
      allowedProviders?: string[];
      /**
       * Prefixes of module sources allowed besides local paths inside the
       * configuration, e.g. `app.terraform.io/kler/`. Default: none.
       */
      allowedModuleSources?: string[];
      /**
       * Backend types a configuration may declare. Default: `['s3']` (a
       * configuration without a backend block keeps its state in the
       * workspace).
       */
      allowedBackends?: string[];
      /**
       * Scheduled drift checks: a read-only `terraform plan -detailed-exitcode
       * -lock=false` of each environment's code in the environments
       * repository (`environments/<name>/` of
       * `kler.environments.localRepository`) whose account is in `accounts`,
       * recorded as a `drift` run in the environment's history. Off unless
       * `frequency` is set.
       */
      drift?: {
        /** How often every environment is checked, e.g. { hours: 6 } or 'PT6H'. */
        frequency?: HumanDuration | string;
        /** Bound of one check of every environment. Default: the frequency. */
        timeout?: HumanDuration | string;
      };
    };
    /** Where KLER's environment definitions are published. */
    environments?: {
      /**
       * A bare git repository on disk that `kler:git:publishLocal` commits
       * rendered environments to (local use; production publishes to GitHub).
       */
      localRepository?: string;
      /**
       * The local AWS sandbox (`packages/aws-sandbox`) the portal reads
       * instead of AWS: set in `app-config.sandbox.yaml` only. With it,
       * `kler:environment:provisionSandbox` adds an environment that
       * Terraform did not apply to the sandbox, as demo data.
       */
      sandbox?: {
        /** The sandbox's URL, whose admin API is under `/_sandbox/`, e.g. `http://127.0.0.1:4566`. */
        adminUrl?: string;
      };
      /**
       * The URL under which the repository's files can be read by the catalog
       * (e.g. `https://github.com/kler/environments/blob/main`). When set,
       * `kler:git:publishLocal` returns the `catalogInfoUrl` to register.
       */
      catalogBaseUrl?: string;
      /**
       * Where the templates put an environment's code, and so who applies it
       * (`kler:environment:resolveTarget` outputs `delivery`, `repoUrl`,
       * `defaultBranch` and `applyBy`). Default: `{ type: local }`.
       *
       * - `local`: the bare repository at `localRepository`, with no
       *   pipeline: only those the portal may apply for can run the templates.
       * - `github`, `gitlab`: a pull (merge) request to `repoUrl`; the
       *   repository's pipeline plans it, and applies it once reviewed and
       *   merged. The portal still applies for those who hold
       *   `environments.provision` (and `environments.provision.production`
       *   in production). `repoUrl`'s host needs an `integrations.github` or
       *   `integrations.gitlab` entry with credentials.
       */
      repository?: {
        /** `local` (default), `github` or `gitlab`. */
        type?: 'local' | 'github' | 'gitlab';
        /**
         * The environments repository as the scaffolder's publish actions
         * take it, e.g. `github.com?owner=kler&repo=environments` or
         * `gitlab.com?owner=kler/platform&repo=environments`. Only for
         * `github` and `gitlab`.
         */
        repoUrl?: string;
        /**
         * The branch pull requests go to and the pipeline applies from.
         * Default: `main`.
         */
        defaultBranch?: string;
      };
    };
  };
}
