export interface Config {
  /** KLER's own settings for the portal. */
  kler?: {
    permissions?: {
      /**
       * Entity refs of the groups (or users) allowed to apply Terraform to
       * production environments. Default: `group:default/platform-team`.
       */
      productionProvisioners?: string[];
      /** Permission names withheld from everyone, such as `environments.read`. */
      denied?: string[];
    };
  };
}
