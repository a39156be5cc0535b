import { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';

/** Where an environment's code goes once the template has rendered it. */
export type EnvironmentsDelivery = 'local' | 'github' | 'gitlab';

/** `kler.environments.repository`, with its defaults. */
export interface EnvironmentsRepository {
  /**
   * `local`: the bare repository at `kler.environments.localRepository`
   * (`kler:git:publishLocal`), with no pipeline. `github`, `gitlab`: a pull or
   * merge request to `repoUrl`, whose pipeline plans and applies.
   */
  delivery: EnvironmentsDelivery;
  /** The scaffolder's form, `github.com?owner=kler&repo=environments`; empty for local. */
  repoUrl: string;
  /** The branch pull requests go to and the pipeline applies from. */
  defaultBranch: string;
}

export const ENVIRONMENTS_REPOSITORY_CONFIG_KEY =
  'kler.environments.repository';

const DELIVERIES: EnvironmentsDelivery[] = ['local', 'github', 'gitlab'];
const HOST =
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
// GitLab groups nest: kler/platform/environments has owner kler/platform.
const GITLAB_OWNER =
  /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;
const REPOSITORY_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;

function configError(key: string, problem: string) {
  return new Error(
    `Invalid config at ${ENVIRONMENTS_REPOSITORY_CONFIG_KEY}${key}: ${problem}`,
  );
}

/**
 * Reads `kler.environments.repository`; `{ type: local }` when it is not set.
 * Throws naming the key when a value is wrong, or when `repoUrl`'s host has
 * no integration of its type (`integrations.github` / `integrations.gitlab`),
 * without which the scaffolder's publish actions cannot reach it.
 */
export function readEnvironmentsRepository(
  config: Config,
): EnvironmentsRepository {
  const repository = config.getOptionalConfig(
    ENVIRONMENTS_REPOSITORY_CONFIG_KEY,
  );
  const delivery = (repository?.getOptionalString('type') ??
    'local') as EnvironmentsDelivery;
  if (!DELIVERIES.includes(delivery)) {
    throw configError(
      '.type',
      `must be one of ${DELIVERIES.join(', ')}, got '${String(delivery).slice(
        0,
        40,
      )}'`,
    );
  }
  const defaultBranch =
    repository?.getOptionalString('defaultBranch') ?? 'main';
  if (!BRANCH.test(defaultBranch) || defaultBranch.includes('..')) {
    throw configError(
      '.defaultBranch',
      `'${defaultBranch.slice(0, 80)}' is not a branch name`,
    );
  }
  const repoUrl = repository?.getOptionalString('repoUrl');
  if (delivery === 'local') {
    if (repoUrl !== undefined) {
      throw configError(
        '.repoUrl',
        'is only for type github or gitlab; type local publishes to kler.environments.localRepository',
      );
    }
    return { delivery, repoUrl: '', defaultBranch };
  }
  if (repoUrl === undefined) {
    throw configError(
      '.repoUrl',
      `type ${delivery} needs the repository, e.g. ${delivery}.com?owner=kler&repo=environments`,
    );
  }
  const host = validateRepoUrl(repoUrl, delivery);
  const integrations = ScmIntegrations.fromConfig(config);
  if (!integrations[delivery].byHost(host)) {
    throw configError(
      '.repoUrl',
      `no integrations.${delivery} entry for ${host}; the scaffolder's publish action could not reach it`,
    );
  }
  return { delivery, repoUrl, defaultBranch };
}

/** Checks `host?owner=...&repo=...` as the scaffolder reads it; returns the host. */
function validateRepoUrl(
  repoUrl: string,
  delivery: 'github' | 'gitlab',
): string {
  const invalid = (problem: string) =>
    configError(
      '.repoUrl',
      `'${repoUrl.slice(0, 120)}' ${problem}; expected the form ${
        delivery === 'github' ? 'github.com' : 'gitlab.com'
      }?owner=kler&repo=environments`,
    );
  const [host, query, ...rest] = repoUrl.split('?');
  if (rest.length > 0 || query === undefined || !HOST.test(host)) {
    throw invalid('is not a host with a query');
  }
  const params = new URLSearchParams(query);
  const keys = [...params.keys()].sort();
  if (keys.join(',') !== 'owner,repo') {
    throw invalid('must name exactly owner and repo');
  }
  const owner = params.get('owner')!;
  const repo = params.get('repo')!;
  const ownerPattern = delivery === 'github' ? GITHUB_OWNER : GITLAB_OWNER;
  if (!ownerPattern.test(owner) || owner.length > 255) {
    throw invalid(`has an owner ${delivery} does not allow`);
  }
  if (!REPOSITORY_NAME.test(repo) || repo === '.' || repo === '..') {
    throw invalid(`has a repository name ${delivery} does not allow`);
  }
  return host;
}
