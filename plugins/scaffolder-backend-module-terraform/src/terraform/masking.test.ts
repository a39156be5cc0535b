import { mockServices } from '@backstage/backend-test-utils';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeCliConfig } from './cliConfig';
import { ActionMasker, createSecretMasker, secretTextsOf } from './masking';
import { TERRAFORM_BINARY } from '../__testUtils__/fixtures';

jest.setTimeout(60_000);

describe('secretTextsOf', () => {
  it('gives a string as itself, and as Terraform quotes it when that differs', () => {
    expect(secretTextsOf('plain-secret')).toEqual(['plain-secret']);
    expect(secretTextsOf('pa"ss\\word\tx')).toEqual([
      'pa"ss\\word\tx',
      'pa\\"ss\\\\word\\tx',
    ]);
  });

  it('gives numbers and bools as printed, unless too short to mask', () => {
    expect(secretTextsOf(5432)).toEqual(['5432']);
    expect(secretTextsOf(0.125)).toEqual(['0.125']);
    expect(secretTextsOf(42)).toEqual([]);
    expect(secretTextsOf(true)).toEqual(['true']);
    expect(secretTextsOf(null)).toEqual([]);
    expect(secretTextsOf(undefined)).toEqual([]);
  });

  it('gives a list as JSON and each element', () => {
    expect(secretTextsOf(['alpha-secret', 'beta-secret'])).toEqual([
      '["alpha-secret","beta-secret"]',
      'alpha-secret',
      'beta-secret',
    ]);
  });

  it('gives a map as JSON, and its keys and values, nested', () => {
    expect(
      secretTextsOf({
        'db-host': 'gamma-secret',
        port: 5432,
        x: { y: 'delta' },
      }),
    ).toEqual([
      '{"db-host":"gamma-secret","port":5432,"x":{"y":"delta"}}',
      'db-host',
      'gamma-secret',
      'port',
      '5432',
      '{"y":"delta"}',
      'delta',
    ]);
  });
});

describe('createSecretMasker', () => {
  it('masks every occurrence, the longest secret first', () => {
    const mask = createSecretMasker(['abc-secret', 'abc-secret-longer']);
    expect(mask('x abc-secret-longer y abc-secret z')).toBe('x *** y *** z');
  });

  it('masks a multi-line secret line by line, as Terraform streams it', () => {
    const mask = createSecretMasker([
      '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----',
    ]);
    expect(mask('  -----BEGIN KEY-----')).toBe('  ***');
    expect(mask('      MIIEvQIBADANBgkqhkiG9w0B')).toBe('      ***');
    expect(mask('key = "-----BEGIN KEY-----\\nMIIE')).toBe('key = "***\\nMIIE');
  });

  it('ignores empty secrets, and masks nothing without any', () => {
    expect(createSecretMasker(['', 'x'])('a b x')).toBe('a b ***');
    expect(createSecretMasker([])('unchanged')).toBe('unchanged');
  });
});

describe('ActionMasker', () => {
  it('masks any JSON value added, also when added later', () => {
    const masker = new ActionMasker(['first-secret']);
    expect(masker.mask('a first-secret b')).toBe('a *** b');
    masker.add(
      5432,
      ['alpha-secret', 'beta-secret'],
      { 'db-host': 'gamma-secret' },
      undefined,
      '',
    );
    expect(masker.mask('  + port = 5432')).toBe('  + port = ***');
    expect(masker.mask('      + "alpha-secret",')).toBe('      + "***",');
    expect(masker.mask('      + "beta-secret",')).toBe('      + "***",');
    expect(masker.mask('      + db-host = "gamma-secret"')).toBe(
      '      + *** = "***"',
    );
    expect(masker.mask('["alpha-secret","beta-secret"]')).toBe('***');
    expect(masker.mask('nothing secret here')).toBe('nothing secret here');
  });

  it('masks nested outputs deeply, keys and numbers included, without changing them', () => {
    const masker = new ActionMasker([
      'alpha-secret',
      5432,
      { 'gamma-secret': 'zeta-secret' },
    ]);
    const outputs = {
      url: {
        value: 'postgres://app:alpha-secret@db:5432/app',
        sensitive: false,
      },
      port: { value: 5432, sensitive: false },
      other: { value: 80 },
      list: { value: ['alpha-secret', 1, true, null] },
      nested: { value: { 'gamma-secret': { deep: ['x alpha-secret y'] } } },
    };
    const copy = JSON.parse(JSON.stringify(outputs));
    expect(masker.maskValue(outputs)).toEqual({
      url: { value: 'postgres://app:***@db:***/app', sensitive: false },
      port: { value: '***', sensitive: false },
      other: { value: 80 },
      list: { value: ['***', 1, true, null] },
      nested: { value: { '***': { deep: ['x *** y'] } } },
    });
    expect(outputs).toEqual(copy);
    expect(masker.maskValue(undefined)).toBeUndefined();
    expect(masker.maskValue('alpha-secret')).toBe('***');
  });

  it("masks an error's message, stack and causes", () => {
    const masker = new ActionMasker(['alpha-secret', 'beta-secret']);
    const cause = new Error('connect to db with alpha-secret failed');
    const error = new Error('apply failed: beta-secret', { cause });
    error.stack = `${error.stack}\n    at run (alpha-secret.js:1:1)`;
    const outer = new Error('task failed', {
      cause: 'raw string cause with beta-secret',
    });

    expect(masker.maskError(error)).toBe(error);
    expect(error.message).toBe('apply failed: ***');
    expect(error.stack).toContain('Error: apply failed: ***');
    expect(error.stack).toContain('at run (***.js:1:1)');
    expect(error.stack).not.toMatch(/alpha-secret|beta-secret/);
    expect(cause.message).toBe('connect to db with *** failed');
    expect(cause.stack).not.toContain('alpha-secret');

    masker.maskError(outer);
    expect(outer.cause).toBe('raw string cause with ***');
    expect(masker.maskError('thrown beta-secret')).toBe('thrown ***');
    const thrown = { code: 1 };
    expect(masker.maskError(thrown)).toBe(thrown);
  });

  it('wraps a logger: messages, error meta and object meta, children too', () => {
    const masker = new ActionMasker(['alpha-secret']);
    const logger = mockServices.logger.mock();
    const child = mockServices.logger.mock();
    logger.child.mockReturnValue(child);
    const wrapped = masker.wrapLogger(logger);

    wrapped.info('token alpha-secret');
    wrapped.warn('w alpha-secret', { detail: { token: 'alpha-secret' } });
    wrapped.error('e', new Error('failed with alpha-secret'));
    wrapped.debug('d alpha-secret');
    wrapped.child({ task: 't' }).info('child alpha-secret');

    expect(logger.info).toHaveBeenCalledWith('token ***', undefined);
    expect(logger.warn).toHaveBeenCalledWith('w ***', {
      detail: { token: '***' },
    });
    const [, meta] = logger.error.mock.calls[0];
    expect((meta as Error).message).toBe('failed with ***');
    expect(logger.debug).toHaveBeenCalledWith('d ***', undefined);
    expect(logger.child).toHaveBeenCalledWith({ task: 't' });
    expect(child.info).toHaveBeenCalledWith('child ***', undefined);
  });
});

/** What Terraform itself prints of values a configuration shows in clear. */
describe('ActionMasker on the real output of Terraform', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kler-masking-test-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const secrets = {
    password: 'kler-"quoted"\\back\tslash-secret',
    port: 5432,
    hosts: ['alpha-secret', 'beta-secret'],
    endpoints: { 'db-host': 'gamma-secret' },
    certificate: 'first-line-secret\nsecond-line-secret',
  };
  /** What must not be readable in any line, whichever way Terraform prints it. */
  const readable =
    /quoted|slash-secret|5432|alpha-secret|beta-secret|gamma-secret|first-line-secret|second-line-secret/;

  it('leaves nothing readable in plan, apply and output', async () => {
    const variables = Object.entries({
      password: 'string',
      port: 'number',
      hosts: 'list(string)',
      endpoints: 'map(string)',
      certificate: 'string',
    })
      .map(
        ([name, type]) =>
          `variable "${name}" {\n  type      = ${type}\n  sensitive = true\n}\n`,
      )
      .join('');
    const outputs = Object.keys(secrets)
      .map(
        name => `output "${name}" {\n  value = nonsensitive(var.${name})\n}\n`,
      )
      .join('');
    await fs.writeFile(
      path.join(dir, 'main.tf'),
      `${variables}${outputs}resource "terraform_data" "x" {\n  input = nonsensitive(var.hosts)\n}\n`,
    );
    await fs.writeFile(
      path.join(dir, 'terraform.tfvars.json'),
      JSON.stringify(secrets),
    );
    const home = await fs.mkdtemp(path.join(dir, '.home-'));
    const cliConfigFile = await writeCliConfig(
      home,
      {
        policy: {
          allowedProviders: [],
          allowedModuleSources: [],
          allowedBackends: [],
        },
      },
      { download: false },
    );
    const terraform = (...args: string[]) => {
      const result = spawnSync(TERRAFORM_BINARY, [...args, '-no-color'], {
        cwd: dir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: home,
          TF_CLI_CONFIG_FILE: cliConfigFile,
          TF_DATA_DIR: path.join(home, 'data'),
          TF_IN_AUTOMATION: '1',
        },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return result.stdout;
    };
    terraform('init', '-input=false');
    const printed = [
      terraform('plan', '-input=false'),
      terraform('apply', '-input=false', '-auto-approve'),
      terraform('output'),
      terraform('output', '-json'),
    ].join('\n');
    // The test means something only if Terraform printed the values.
    expect(printed).toMatch(readable);
    expect(printed).toContain('+ "alpha-secret",');

    const masker = new ActionMasker(Object.values(secrets));
    const masked = printed.split('\n').map(masker.mask);
    expect(masked.filter(line => readable.test(line))).toEqual([]);
    expect(masked).toContain('      + "***",');

    const json = JSON.parse(terraform('output', '-json'));
    expect(JSON.stringify(masker.maskValue(json))).not.toMatch(readable);
  });
});
