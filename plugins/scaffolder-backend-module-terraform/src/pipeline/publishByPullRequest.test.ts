import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { createFetchPlainAction } from '@backstage/plugin-scaffolder-backend';
import { createPublishGithubPullRequestAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { createPublishGitlabMergeRequestAction } from '@backstage/plugin-scaffolder-backend-module-gitlab';
import { mockServices } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestContext } from '../__testUtils__/fixtures';
import { PIPELINE_TEMPLATE_DIR } from '../__testUtils__/pipeline';

const ENVIRONMENT_DIR = path.resolve(PIPELINE_TEMPLATE_DIR, '..');

/** What the fake GitHub API received: method, path and JSON body. */
interface Received {
  method: string;
  path: string;
  body?: any;
}

/**
 * The real publish:github:pull-request and publish:gitlab:merge-request of
 * Backstage's GitHub and GitLab modules, with the hosts' APIs answered by msw
 * at the network layer: the test sees exactly what each action sends.
 */
describe("publishing an environment by pull or merge request (the real GitHub and GitLab modules' actions)", () => {
  const received: Received[] = [];
  const blobs = new Map<string, { content: string; mode: string }>();
  const server = setupServer(
    http.all('https://api.github.com/*', async ({ request }) => {
      const { pathname } = new URL(request.url);
      const body =
        request.method === 'GET'
          ? undefined
          : await request.json().catch(() => undefined);
      received.push({ method: request.method, path: pathname, body });
      const at = `${request.method} ${pathname}`;
      if (at === 'GET /repos/kler/environments') {
        return HttpResponse.json({
          name: 'environments',
          full_name: 'kler/environments',
          default_branch: 'main',
          owner: { login: 'kler' },
          permissions: { push: true },
          fork: false,
        });
      }
      if (at.startsWith('GET /repos/kler/environments/commits')) {
        return HttpResponse.json([
          { sha: 'base-commit', commit: { tree: { sha: 'base-tree' } } },
        ]);
      }
      if (at === 'POST /repos/kler/environments/git/blobs') {
        const sha = `blob-${blobs.size}`;
        blobs.set(sha, {
          content: (body as any).content,
          mode: (body as any).mode,
        });
        return HttpResponse.json({ sha }, { status: 201 });
      }
      if (at === 'POST /repos/kler/environments/git/trees') {
        return HttpResponse.json({ sha: 'new-tree' }, { status: 201 });
      }
      if (at === 'POST /repos/kler/environments/git/commits') {
        return HttpResponse.json({ sha: 'new-commit' }, { status: 201 });
      }
      if (at === 'POST /graphql') {
        // No pull request is open for the branch yet.
        return HttpResponse.json({ data: { repository: { ref: null } } });
      }
      if (at === 'POST /repos/kler/environments/git/refs') {
        return HttpResponse.json(
          { ref: (body as any).ref, object: { sha: 'new-commit' } },
          { status: 201 },
        );
      }
      if (at === 'POST /repos/kler/environments/pulls') {
        return HttpResponse.json(
          {
            number: 42,
            html_url: 'https://github.com/kler/environments/pull/42',
            base: { ref: 'main' },
          },
          { status: 201 },
        );
      }
      return HttpResponse.json(
        { message: `Not Found: ${at}` },
        { status: 404 },
      );
    }),
  );
  const GITLAB_PROJECT = '/api/v4/projects/kler%2Fenvironments';
  server.use(
    http.all('https://gitlab.com/*', async ({ request }) => {
      const { pathname } = new URL(request.url);
      const body =
        request.method === 'GET'
          ? undefined
          : await request.json().catch(() => undefined);
      received.push({ method: request.method, path: pathname, body });
      const at = `${request.method} ${pathname}`;
      if (at === `GET ${GITLAB_PROJECT}/repository/tree`) {
        return HttpResponse.json([]);
      }
      if (
        at ===
        `GET ${GITLAB_PROJECT}/repository/branches/kler%2Fadd-environment-staging`
      ) {
        return HttpResponse.json(
          { message: '404 Branch Not Found' },
          { status: 404 },
        );
      }
      if (at === `POST ${GITLAB_PROJECT}/repository/branches`) {
        return HttpResponse.json(
          { name: (body as any).branch },
          { status: 201 },
        );
      }
      if (at === `POST ${GITLAB_PROJECT}/repository/commits`) {
        return HttpResponse.json({ id: 'new-commit' }, { status: 201 });
      }
      if (at === `POST ${GITLAB_PROJECT}/merge_requests`) {
        return HttpResponse.json(
          {
            iid: 3,
            web_url: 'https://gitlab.com/kler/environments/-/merge_requests/3',
            target_branch: 'main',
          },
          { status: 201 },
        );
      }
      return HttpResponse.json(
        { message: `404 Not Found: ${at}` },
        { status: 404 },
      );
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  const config = new ConfigReader({
    integrations: {
      github: [{ host: 'github.com', token: 'ghp_kler_test_token' }],
      gitlab: [{ host: 'gitlab.com', token: 'glpat-kler-test-token' }],
    },
  });
  const integrations = ScmIntegrations.fromConfig(config);

  let workspacePath: string;
  beforeEach(async () => {
    received.length = 0;
    blobs.clear();
    workspacePath = await fs.mkdtemp(
      path.join(os.tmpdir(), 'kler-publish-pr-'),
    );
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  /** The workspace as kler-environment leaves it for a pull request: the repository's layout under repository/. */
  async function layOutWorkspace(host: 'github' | 'gitlab' = 'github') {
    const fetchPlain = createFetchPlainAction({
      reader: mockServices.urlReader.mock(),
      integrations,
    });
    for (const [url, targetPath] of [
      ['./terraform', 'repository/environments/staging'],
      ['./pipeline/common', 'repository'],
      [`./pipeline/${host}`, 'repository'],
    ]) {
      const { ctx } = createTestContext({
        workspacePath,
        input: { url, targetPath },
      });
      await fetchPlain.handler({
        ...ctx,
        templateInfo: {
          baseUrl: `file://${path.join(ENVIRONMENT_DIR, 'template.yaml')}`,
        },
      } as any);
    }
    const environment = path.join(
      workspacePath,
      'repository/environments/staging',
    );
    await fs.writeFile(
      path.join(environment, 'terraform.tfvars.json'),
      '{\n  "name": "staging"\n}\n',
    );
    await fs.writeFile(
      path.join(environment, 'pipeline.json'),
      '{\n  "environment": "staging"\n}\n',
    );
    await fs.writeFile(
      path.join(environment, 'catalog-info.yaml'),
      'kind: Resource\n',
    );
    // What a portal run or a careless hand could leave: never published.
    await fs.writeFile(
      path.join(environment, 'terraform.tfstate'),
      '{"secret": "state"}',
    );
    await fs.writeFile(
      path.join(environment, 'kler-task.auto.tfvars.json'),
      '{"db_password": "x"}',
    );
    await fs.mkdir(path.join(environment, '.terraform/providers'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(environment, '.terraform/providers/aws'),
      'binary',
    );
    await fs.mkdir(path.join(workspacePath, 'repository/.kler-terraform/abc'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(workspacePath, 'repository/.kler-terraform/abc/plan.tfplan'),
      'plan',
    );
  }

  it('sends the branch, every file of the environment and the pipeline (no state, plan or secret file), and the pull request', async () => {
    await layOutWorkspace();
    const action = createPublishGithubPullRequestAction({
      integrations,
      githubCredentialsProvider:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      config,
    });
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: {
        repoUrl: 'github.com?owner=kler&repo=environments',
        branchName: 'kler/add-environment-staging',
        targetBranchName: 'main',
        sourcePath: 'repository',
        title: 'Add development environment staging',
        description:
          'Created from the portal by user:default/alice. The pipeline plans it here and applies it once merged.',
        commitMessage: 'Add development environment staging',
      },
    });
    await action.handler(ctx as any);

    expect(outputs).toEqual({
      targetBranchName: 'main',
      remoteUrl: 'https://github.com/kler/environments/pull/42',
      pullRequestNumber: 42,
    });
    const tree = received.find(
      r => r.path === '/repos/kler/environments/git/trees',
    )!.body;
    expect(tree.base_tree).toBe('base-tree');
    const files = Object.fromEntries(
      tree.tree.map((entry: any) => [
        entry.path,
        {
          ...blobs.get(entry.sha),
          content: Buffer.from(
            blobs.get(entry.sha)!.content,
            'base64',
          ).toString('utf8'),
        },
      ]),
    );
    const paths = Object.keys(files).sort();
    const terraform = (
      await fs.readdir(path.join(ENVIRONMENT_DIR, 'terraform'), {
        recursive: true,
        withFileTypes: true,
      })
    )
      .filter(entry => entry.isFile())
      .map(entry =>
        path.posix.join(
          'environments/staging',
          path.relative(
            path.join(ENVIRONMENT_DIR, 'terraform'),
            path.join(entry.parentPath, entry.name),
          ),
        ),
      );
    expect(paths).toEqual(
      [
        '.github/workflows/kler-environments.yml',
        '.gitignore',
        '.kler-pipeline/pipeline.sh',
        '.kler-pipeline/plan-summary.jq',
        'environments/staging/catalog-info.yaml',
        'environments/staging/pipeline.json',
        'environments/staging/terraform.tfvars.json',
        ...terraform,
      ].sort(),
    );
    expect(
      paths.filter(p =>
        /tfstate|tfplan|\.terraform\/|kler-task|\.kler-terraform/.test(p),
      ),
    ).toEqual([]);
    expect(files['.github/workflows/kler-environments.yml'].content).toBe(
      await fs.readFile(
        path.join(
          PIPELINE_TEMPLATE_DIR,
          'github/.github/workflows/kler-environments.yml',
        ),
        'utf8',
      ),
    );
    expect(files['environments/staging/pipeline.json'].content).toBe(
      '{\n  "environment": "staging"\n}\n',
    );
    expect(files['environments/staging/main.tf'].content).toBe(
      await fs.readFile(
        path.join(ENVIRONMENT_DIR, 'terraform/main.tf'),
        'utf8',
      ),
    );

    expect(
      received.find(r => r.path === '/repos/kler/environments/git/commits')!
        .body,
    ).toEqual({
      message: 'Add development environment staging',
      tree: 'new-tree',
      parents: ['base-commit'],
    });
    expect(
      received.find(r => r.path === '/repos/kler/environments/git/refs')!.body,
    ).toEqual({
      ref: 'refs/heads/kler/add-environment-staging',
      sha: 'new-commit',
    });
    expect(
      received.find(r => r.path === '/repos/kler/environments/pulls')!.body,
    ).toEqual({
      head: 'kler:kler/add-environment-staging',
      base: 'main',
      title: 'Add development environment staging',
      body: 'Created from the portal by user:default/alice. The pipeline plans it here and applies it once merged.',
      draft: false,
    });
    // Nothing was pushed to main itself.
    expect(received.filter(r => r.method === 'PATCH')).toEqual([]);
  });
  it('sends the same files to GitLab as a commit on a new branch, and the merge request', async () => {
    await layOutWorkspace('gitlab');
    const action = createPublishGitlabMergeRequestAction({ integrations });
    const { ctx, outputs } = createTestContext({
      workspacePath,
      input: {
        repoUrl: 'gitlab.com?owner=kler&repo=environments',
        branchName: 'kler/add-environment-staging',
        targetBranchName: 'main',
        sourcePath: 'repository',
        title: 'Add development environment staging',
        description: 'Created from the portal by user:default/alice.',
        commitMessage: 'Add development environment staging',
      },
    });
    await action.handler(ctx as any);

    expect(outputs).toMatchObject({
      targetBranchName: 'main',
      mergeRequestUrl:
        'https://gitlab.com/kler/environments/-/merge_requests/3',
    });
    expect(
      received.find(r => r.path === `${GITLAB_PROJECT}/repository/branches`)!
        .body,
    ).toEqual({
      branch: 'kler/add-environment-staging',
      ref: 'main',
    });
    const commit = received.find(
      r => r.path === `${GITLAB_PROJECT}/repository/commits`,
    )!.body;
    expect(commit.branch).toBe('kler/add-environment-staging');
    const files = Object.fromEntries(
      commit.actions.map((change: any) => [
        change.file_path,
        {
          action: change.action,
          content: Buffer.from(change.content, 'base64').toString('utf8'),
        },
      ]),
    );
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        '.gitlab-ci.yml',
        '.gitignore',
        '.kler-pipeline/pipeline.sh',
        'environments/staging/pipeline.json',
        'environments/staging/main.tf',
      ]),
    );
    expect(
      Object.keys(files).filter(p =>
        /tfstate|tfplan|\.terraform\/|kler-task|\.kler-terraform|\.github/.test(
          p,
        ),
      ),
    ).toEqual([]);
    expect(files['.gitlab-ci.yml']).toEqual({
      action: 'create',
      content: await fs.readFile(
        path.join(PIPELINE_TEMPLATE_DIR, 'gitlab/.gitlab-ci.yml'),
        'utf8',
      ),
    });
    expect(
      received.find(r => r.path === `${GITLAB_PROJECT}/merge_requests`)!.body,
    ).toEqual({
      source_branch: 'kler/add-environment-staging',
      target_branch: 'main',
      title: 'Add development environment staging',
      description: 'Created from the portal by user:default/alice.',
      remove_source_branch: false,
    });
  });
});
