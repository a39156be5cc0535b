import path from 'node:path';

/**
 * The files kler-environment commits into the environments repository beside
 * the environments: the same for every environment, never rendered. Each
 * folder is fetched into the repository's root.
 */
export const PIPELINE_TEMPLATE_DIR = path.resolve(
  // Tests always run from source, where __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../../templates/kler-environment/pipeline',
);

/** The folders of PIPELINE_TEMPLATE_DIR, by where they apply. */
export const PIPELINE_FOLDERS = {
  /** `.kler-pipeline/pipeline.sh` and `.kler-pipeline/plan-summary.jq`, for both. */
  common: path.join(PIPELINE_TEMPLATE_DIR, 'common'),
  github: path.join(PIPELINE_TEMPLATE_DIR, 'github'),
  gitlab: path.join(PIPELINE_TEMPLATE_DIR, 'gitlab'),
};

export const GITHUB_WORKFLOW = path.join(
  PIPELINE_FOLDERS.github,
  '.github/workflows/kler-environments.yml',
);
export const GITLAB_CI = path.join(PIPELINE_FOLDERS.gitlab, '.gitlab-ci.yml');
export const PIPELINE_SCRIPT = path.join(
  PIPELINE_FOLDERS.common,
  '.kler-pipeline/pipeline.sh',
);
