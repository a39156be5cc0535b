import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  localLockFile,
  readStateLocation,
  sameState,
  terraformProcessesUsing,
} from './stateLocation';

describe('state locations', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-state-location-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  /** What `terraform init` writes to TF_DATA_DIR/terraform.tfstate. */
  async function initialized(dataDirectory: string, backend: object) {
    await fs.mkdir(dataDirectory, { recursive: true });
    await fs.writeFile(
      path.join(dataDirectory, 'terraform.tfstate'),
      JSON.stringify({ version: 3, terraform_version: '1.11.4', backend }),
    );
  }

  it('reads the backend init configured, without nulls or credentials', async () => {
    await initialized(path.join(dir, 'data'), {
      type: 's3',
      config: {
        bucket: 'kler-terraform-state',
        key: 'environments/staging/terraform.tfstate',
        region: 'eu-west-1',
        use_lockfile: true,
        access_key: 'AKIAEXAMPLE',
        secret_key: 'example-secret',
        token: 'example-session-token',
        sse_customer_key: 'example-key',
        skip_credentials_validation: true,
        shared_credentials_files: ['/home/kler/.aws/credentials'],
        dynamodb_table: null,
        endpoints: { s3: 'http://127.0.0.1:5999', sts: null },
      },
      hash: 1234,
    });
    await expect(
      readStateLocation(path.join(dir, 'data'), dir),
    ).resolves.toEqual({
      type: 's3',
      config: {
        bucket: 'kler-terraform-state',
        key: 'environments/staging/terraform.tfstate',
        region: 'eu-west-1',
        use_lockfile: true,
        skip_credentials_validation: true,
        shared_credentials_files: ['/home/kler/.aws/credentials'],
        endpoints: { s3: 'http://127.0.0.1:5999' },
      },
    });
  });

  it("makes the local backend's paths absolute, and knows the state of a configuration without a backend", async () => {
    await initialized(path.join(dir, 'data'), {
      type: 'local',
      config: { path: '../state/terraform.tfstate', workspace_dir: null },
    });
    const local = await readStateLocation(
      path.join(dir, 'data'),
      path.join(dir, 'code'),
    );
    expect(local).toEqual({
      type: 'local',
      config: { path: path.join(dir, 'state/terraform.tfstate') },
    });
    expect(localLockFile(local!)).toBe(
      path.join(dir, 'state/.terraform.tfstate.lock.info'),
    );
    await expect(
      readStateLocation(path.join(dir, 'none'), path.join(dir, 'code')),
    ).resolves.toEqual({
      type: 'local',
      config: { path: path.join(dir, 'code/terraform.tfstate') },
    });
  });

  it('tells states apart by file, or by bucket and key', () => {
    const s3 = (key: string) => ({
      type: 's3',
      config: { bucket: 'b', key, region: 'eu-west-1' },
    });
    expect(
      sameState(s3('a'), {
        ...s3('a'),
        config: { ...s3('a').config, use_lockfile: true },
      }),
    ).toBe(true);
    expect(sameState(s3('a'), s3('b'))).toBe(false);
    expect(
      sameState(
        { type: 'local', config: { path: '/s/terraform.tfstate' } },
        { type: 'local', config: { path: '/t/terraform.tfstate' } },
      ),
    ).toBe(false);
  });

  it('finds the processes of the Terraform binary on this host that use a state', async () => {
    // A program called terraform (a copy of sleep) run as the actions run
    // Terraform: in the configuration's directory, with its own TF_DATA_DIR.
    const binary = path.join(dir, 'bin', 'terraform');
    await fs.mkdir(path.dirname(binary));
    await fs.copyFile('/bin/sleep', binary);
    await fs.chmod(binary, 0o755);
    const code = path.join(dir, 'code');
    await fs.mkdir(code);
    await initialized(path.join(dir, 'data'), {
      type: 's3',
      config: { bucket: 'b', key: 'environments/x/terraform.tfstate' },
    });
    const child = spawn(binary, ['30'], {
      cwd: code,
      env: { TF_DATA_DIR: path.join(dir, 'data') },
    });
    try {
      await new Promise(resolve => child.once('spawn', resolve));
      const state = {
        type: 's3',
        config: { bucket: 'b', key: 'environments/x/terraform.tfstate' },
      };
      await expect(
        terraformProcessesUsing(state, 'terraform'),
      ).resolves.toEqual([child.pid]);
      await expect(
        terraformProcessesUsing(
          {
            ...state,
            config: { bucket: 'b', key: 'environments/y/terraform.tfstate' },
          },
          'terraform',
        ),
      ).resolves.toEqual([]);
      await expect(terraformProcessesUsing(state, 'tofu')).resolves.toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
