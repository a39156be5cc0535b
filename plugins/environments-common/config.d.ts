export interface Config {
  /** KLER's own settings for the portal. */
  kler?: {
    environments?: {
      /**
       * The catalog locations that environment Resources (`kind: Resource`,
       * `spec.type: environment`) are accepted from, as location refs
       * `type:target`: `file:../../catalog/all.yaml` (relative to the backend's
       * working directory) or `url:https://github.com/kler/environments/blob/main/*`
       * (a trailing `*` matches by prefix; end the prefix with `/`). An entity's
       * origin location (the location registered in config or through the API)
       * is compared. Default: the locations of `catalog.locations`; an empty list
       * refuses every environment Resource.
       */
      trustedLocations?: string[];
    };
  };
}
