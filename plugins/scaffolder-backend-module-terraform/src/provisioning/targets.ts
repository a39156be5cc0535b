import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ORIGIN_LOCATION,
  CompoundEntityRef,
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EnvironmentTier,
  environmentsProvisionProductionPermission,
  isEnvironmentEntity,
  isTrustedLocation,
  readEnvironmentFromEntity,
} from '@kler/plugin-environments-common';
import { TerraformAccount } from '../terraform/config';

/** Where a Terraform run lands, as the server decided it. */
export interface ProvisioningTarget {
  accountId: string;
  region: string;
  /** From `kler.terraform.accounts`, never from a template input. */
  tier: EnvironmentTier;
  /** The environment's catalog entity, when the run changes an existing one. */
  environmentRef?: string;
}

/** What a template may say about the target: an environment, or an account and region. */
export interface TargetInput {
  environment?: string;
  awsAccountId?: string;
  awsRegion?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ENTITY_NAMES = makeValidator();
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function given(value: string | undefined) {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Decides where a Terraform run lands. The account must be one of
 * `kler.terraform.accounts`, whose tier is the only tier that counts; an
 * environment is looked up in the catalog (as the user sees it) and must come
 * from a trusted location. Nothing here fetches credentials: an account the
 * config does not know is refused before any are.
 */
export class ProvisioningTargets {
  constructor(
    private readonly options: {
      accounts: TerraformAccount[];
      catalog?: CatalogService;
      trustedLocations: string[];
    },
  ) {}

  async resolve(
    input: TargetInput,
    credentials: () => Promise<BackstageCredentials>,
  ): Promise<ProvisioningTarget> {
    const environment = given(input.environment);
    const accountId = given(input.awsAccountId);
    const region = given(input.awsRegion);
    if (accountId !== undefined && !ACCOUNT_ID.test(accountId)) {
      throw new InputError('awsAccountId must be a 12-digit AWS account id');
    }
    if (region !== undefined && !REGION.test(region)) {
      throw new InputError(
        `awsRegion '${region.slice(0, 40)}' is not an AWS region`,
      );
    }

    if (environment !== undefined) {
      const fromCatalog = await this.resolveEnvironment(
        environment,
        credentials,
      );
      if (accountId !== undefined && accountId !== fromCatalog.accountId) {
        throw new InputError(
          `awsAccountId ${accountId} is not the account of ${fromCatalog.environmentRef} (${fromCatalog.accountId}); give the environment alone`,
        );
      }
      if (region !== undefined && region !== fromCatalog.region) {
        throw new InputError(
          `awsRegion ${region} is not the region of ${fromCatalog.environmentRef} (${fromCatalog.region}); give the environment alone`,
        );
      }
      return fromCatalog;
    }

    if (accountId === undefined || region === undefined) {
      throw new InputError(
        'Name the target: an environment (its entity ref), or awsAccountId and awsRegion',
      );
    }
    const account = this.account(accountId, region);
    return { accountId, region, tier: account.tier };
  }

  private account(accountId: string, region: string): TerraformAccount {
    const account = this.options.accounts.find(a => a.accountId === accountId);
    if (!account) {
      throw new NotAllowedError(
        `AWS account ${accountId} is not one of kler.terraform.accounts; Terraform runs only in accounts the portal's config lists, and nothing was run`,
      );
    }
    if (account.regions.length > 0 && !account.regions.includes(region)) {
      throw new NotAllowedError(
        `Region ${region} is not allowed in AWS account ${accountId} (kler.terraform.accounts allows ${account.regions.join(
          ', ',
        )}); nothing was run`,
      );
    }
    return account;
  }

  private async resolveEnvironment(
    ref: string,
    credentials: () => Promise<BackstageCredentials>,
  ): Promise<ProvisioningTarget> {
    const notARef = () =>
      new InputError(
        `environment '${ref.slice(
          0,
          100,
        )}' is not an entity ref such as resource:default/staging`,
      );
    let parsed: CompoundEntityRef;
    try {
      parsed = parseEntityRef(ref, { defaultKind: 'resource' });
    } catch {
      throw notARef();
    }
    if (
      parsed.kind.toLocaleLowerCase('en-US') !== 'resource' ||
      !ENTITY_NAMES.isValidNamespace(parsed.namespace) ||
      !ENTITY_NAMES.isValidEntityName(parsed.name)
    ) {
      throw notARef();
    }
    const entityRef = stringifyEntityRef(parsed);
    if (!this.options.catalog) {
      throw new InputError(
        `No catalog is available to look up the environment ${entityRef}`,
      );
    }
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials: await credentials(),
    });
    if (!entity || !isEnvironmentEntity(entity)) {
      throw new InputError(
        `${entityRef} is not an environment in the catalog (a Resource of spec.type environment)`,
      );
    }
    const origin = entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
    if (!isTrustedLocation(origin, this.options.trustedLocations)) {
      throw new NotAllowedError(
        `${entityRef} comes from ${
          origin ?? 'an unknown location'
        }, which is not one of kler.environments.trustedLocations; Terraform does not target it`,
      );
    }
    const definition = readEnvironmentFromEntity(entity);
    const account = this.account(definition.accountId, definition.region);
    if (definition.tier !== account.tier) {
      throw new NotAllowedError(
        `${entityRef} says it is ${definition.tier}, but its account ${definition.accountId} is ${account.tier} in kler.terraform.accounts; fix the catalog entry`,
      );
    }
    return {
      accountId: definition.accountId,
      region: definition.region,
      tier: account.tier,
      environmentRef: entityRef,
    };
  }
}

/**
 * Checks that the person who started the task may run Terraform against the
 * target: production needs `environments.provision.production`, whatever the
 * template's inputs say.
 */
export async function authorizeTarget(
  target: ProvisioningTarget,
  options: {
    permissions?: PermissionsService;
    getInitiatorCredentials: () => Promise<BackstageCredentials>;
    user?: { ref?: string };
    logger: { info(message: string): void };
    /** What is about to happen, for the messages: `Terraform plan`, ... */
    operation: string;
  },
) {
  if (target.tier !== 'production') return;
  const who = options.user?.ref ?? 'the user who started this task';
  const where = `production account ${target.accountId}${
    target.environmentRef ? ` (${target.environmentRef})` : ''
  }`;
  if (!options.permissions) {
    throw new NotAllowedError(
      `${options.operation} in ${where} needs a permission check, and no permissions service is configured; nothing was run`,
    );
  }
  const credentials = await options.getInitiatorCredentials();
  const [decision] = await options.permissions.authorize(
    [{ permission: environmentsProvisionProductionPermission }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `${who} may not provision production: ${options.operation} in ${where} needs the permission ${environmentsProvisionProductionPermission.name}; nothing was run`,
    );
  }
  options.logger.info(
    `${who} may provision production (${environmentsProvisionProductionPermission.name}): ${options.operation} in ${where}`,
  );
}
