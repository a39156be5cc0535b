import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { driftBackendConfig, readStateBackend } from './stateBackend';

describe('readStateBackend', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-backend-'));
  });
  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('reads the backend block of any .tf file of the root module', async () => {
    await fs.writeFile(path.join(directory, 'main.tf'), 'locals {}\n');
    await fs.writeFile(
      path.join(directory, 'versions.tf'),
      'terraform {\n  backend "s3" {\n    use_lockfile = true\n  }\n}\n',
    );
    await expect(readStateBackend(directory)).resolves.toEqual({
      type: 's3',
      settings: { use_lockfile: true },
    });
  });

  it('reads JSON syntax, and nothing when no backend is declared', async () => {
    await fs.writeFile(
      path.join(directory, 'backend.tf.json'),
      JSON.stringify({ terraform: { backend: { local: { path: '/s' } } } }),
    );
    await expect(readStateBackend(directory)).resolves.toEqual({
      type: 'local',
      settings: { path: '/s' },
    });
    await fs.rm(path.join(directory, 'backend.tf.json'));
    await fs.writeFile(path.join(directory, 'main.tf'), 'terraform {}\n');
    await expect(readStateBackend(directory)).resolves.toBeUndefined();
  });
});

describe('driftBackendConfig', () => {
  const server = { bucket: 'kler-state', region: 'eu-west-1' };

  it("gives a remote backend the environment's state key over the server's settings", () => {
    expect(
      driftBackendConfig(
        'staging',
        { type: 's3', settings: {} },
        { ...server, key: 'something/else.tfstate' },
      ),
    ).toEqual({
      settings: { ...server, key: 'environments/staging/terraform.tfstate' },
    });
  });

  it('takes the local backend where its absolute path says, with no key', () => {
    expect(
      driftBackendConfig(
        'staging',
        { type: 'local', settings: { path: '/var/lib/kler/staging.tfstate' } },
        {},
      ),
    ).toEqual({ settings: {} });
    expect(
      driftBackendConfig(
        'staging',
        { type: 'local', settings: {} },
        { path: '/var/lib/kler/state.tfstate' },
      ),
    ).toEqual({ settings: { path: '/var/lib/kler/state.tfstate' } });
  });

  it.each([
    [undefined, 'the code declares no backend'],
    [{ type: 'local', settings: {} }, 'no absolute path'],
    [
      { type: 'local', settings: { path: 'terraform.tfstate' } },
      'no absolute path',
    ],
  ])('says why there is no state to compare with: %j', (backend, reason) => {
    expect(driftBackendConfig('staging', backend, server)).toEqual({
      skipReason: expect.stringContaining(reason),
    });
  });
});
