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
      /** Shared provider cache (TF_PLUGIN_CACHE_DIR), e.g. a mirror on disk. */
      pluginCacheDir?: string;
    };
    /** Where KLER's environment definitions are published. */
    environments?: {
      /**
       * A bare git repository on disk that `kler:git:publishLocal` commits
       * rendered environments to (local use; production publishes to GitHub).
       */
      localRepository?: string;
      /**
       * The URL under which the repository's files can be read by the catalog
       * (e.g. `https://github.com/kler/environments/blob/main`). When set,
       * `kler:git:publishLocal` returns the `catalogInfoUrl` to register.
       */
      catalogBaseUrl?: string;
    };
  };
}
