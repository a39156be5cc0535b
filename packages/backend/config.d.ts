export interface Config {
  /** KLER's own settings for the portal. */
  kler?: {
    /**
     * KLER's permission policy. Each list of entity refs is matched against
     * the signed-in user's ownership entity refs (the user and their groups).
     */
    permissions?: {
      /**
       * Permission names withheld from everyone, such as `environments.read`.
       * Checked before every other rule.
       */
      denied?: string[];
      /**
       * Entity refs of the groups (or users) allowed to apply Terraform to
       * production environments. Default: `group:default/platform-team`.
       */
      productionProvisioners?: string[];
      /**
       * Entity refs of the groups (or users) allowed to run the
       * `kler:terraform:*` scaffolder actions, in tasks and dry-runs alike.
       * Everyone else may run every other action.
       * Default: `group:default/platform-team`.
       */
      terraformRunners?: string[];
      /**
       * Entity refs of the groups (or users) allowed to read and cancel
       * everyone's scaffolder tasks, delete any catalog entity and delete
       * catalog locations. Everyone else reads and cancels only the tasks they
       * created and deletes only the entities they own.
       * Default: `group:default/platform-team`.
       */
      administrators?: string[];
    };
  };
}
