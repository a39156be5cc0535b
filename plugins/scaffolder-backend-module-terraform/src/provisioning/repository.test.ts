import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { readEnvironmentsRepository } from './repository';

function read(repository?: JsonObject, more: JsonObject = {}) {
  return readEnvironmentsRepository(
    new ConfigReader({
      kler: { environments: repository ? { repository } : {} },
      ...more,
    }),
  );
}

describe('readEnvironmentsRepository', () => {
  it('is the local repository when not configured', () => {
    expect(read()).toEqual({
      delivery: 'local',
      repoUrl: '',
      defaultBranch: 'main',
    });
    expect(read({ type: 'local', defaultBranch: 'trunk' })).toEqual({
      delivery: 'local',
      repoUrl: '',
      defaultBranch: 'trunk',
    });
  });

  it('reads a GitHub repository, github.com needing no integration entry', () => {
    expect(
      read({
        type: 'github',
        repoUrl: 'github.com?owner=kler&repo=environments',
      }),
    ).toEqual({
      delivery: 'github',
      repoUrl: 'github.com?owner=kler&repo=environments',
      defaultBranch: 'main',
    });
  });

  it('reads a GitLab repository in a subgroup on a host of integrations.gitlab', () => {
    expect(
      read(
        {
          type: 'gitlab',
          repoUrl: 'gitlab.kler.example?owner=kler/platform&repo=environments',
          defaultBranch: 'production-ready',
        },
        {
          integrations: {
            gitlab: [
              {
                host: 'gitlab.kler.example',
                apiBaseUrl: 'https://gitlab.kler.example/api/v4',
                token: 'glpat-test',
              },
            ],
          },
        },
      ),
    ).toEqual({
      delivery: 'gitlab',
      repoUrl: 'gitlab.kler.example?owner=kler/platform&repo=environments',
      defaultBranch: 'production-ready',
    });
  });

  it.each([
    [
      { type: 'bitbucket' },
      /repository\.type: must be one of local, github, gitlab, got 'bitbucket'/,
    ],
    [
      { type: 'github' },
      /repository\.repoUrl: type github needs the repository/,
    ],
    [
      { type: 'local', repoUrl: 'github.com?owner=kler&repo=environments' },
      /repository\.repoUrl: is only for type github or gitlab/,
    ],
    [
      { type: 'github', repoUrl: 'https://github.com/kler/environments' },
      /repository\.repoUrl: 'https:\/\/github.com\/kler\/environments' is not a host with a query/,
    ],
    [
      { type: 'github', repoUrl: 'github.com?owner=kler' },
      /repository\.repoUrl: .* must name exactly owner and repo/,
    ],
    [
      { type: 'github', repoUrl: 'github.com?owner=kler&repo=env&workspace=x' },
      /must name exactly owner and repo/,
    ],
    [
      {
        type: 'github',
        repoUrl: 'github.com?owner=kler/platform&repo=environments',
      },
      /has an owner github does not allow/,
    ],
    [
      { type: 'gitlab', repoUrl: 'gitlab.com?owner=kler&repo=..' },
      /has a repository name gitlab does not allow/,
    ],
    [
      {
        type: 'github',
        repoUrl: 'ghe.kler.example?owner=kler&repo=environments',
      },
      /repository\.repoUrl: no integrations\.github entry for ghe\.kler\.example/,
    ],
    [
      {
        type: 'github',
        repoUrl: 'github.com?owner=kler&repo=environments',
        defaultBranch: '--force',
      },
      /repository\.defaultBranch: '--force' is not a branch name/,
    ],
  ])('refuses %j, naming the key', (repository, message) => {
    expect(() => read(repository)).toThrow(message);
    expect(() => read(repository)).toThrow(
      /^Invalid config at kler\.environments\.repository\./,
    );
  });
});
