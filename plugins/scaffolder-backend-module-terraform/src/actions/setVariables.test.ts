import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSetVariablesAction } from './setVariables';
import { createTestContext } from '../__testUtils__/fixtures';

describe('kler:environment:setVariables', () => {
  const action = createSetVariablesAction();
  let workspacePath: string;
  let environment: string;

  beforeEach(async () => {
    workspacePath = await fs.mkdtemp(
      path.join(os.tmpdir(), 'kler-set-variables-test-'),
    );
    environment = path.join(workspacePath, 'environment');
    await fs.mkdir(environment);
  });
  afterEach(async () => {
    await fs.rm(workspacePath, { recursive: true, force: true });
  });

  async function run(input: Record<string, unknown>) {
    const context = createTestContext({
      workspacePath,
      input: { workingDirectory: 'environment', ...input },
    });
    await action.handler(context.ctx as any);
    return context;
  }

  const readVariables = async (file = 'terraform.tfvars.json') =>
    JSON.parse(await fs.readFile(path.join(environment, file), 'utf8'));

  it('writes variables into terraform.tfvars.json and merges with what is there', async () => {
    const first = await run({
      variables: {
        name: 'staging',
        tier: 'development',
        services: { storefront: { image: 'storefront:1.0.0' } },
      },
    });
    expect(first.outputs.file).toBe(
      path.join('environment', 'terraform.tfvars.json'),
    );
    expect(first.lines).toContain(
      'Wrote name, tier, services to environment/terraform.tfvars.json',
    );

    await run({ variables: { tier: 'production', alarms: true, count: 3 } });
    expect(await readVariables()).toEqual({
      name: 'staging',
      tier: 'production',
      services: { storefront: { image: 'storefront:1.0.0' } },
      alarms: true,
      count: 3,
    });
  });

  it('adds entries to map variables, starting a map that is not there yet', async () => {
    await run({
      variables: { services: { storefront: { image: 'storefront:1.0.0' } } },
    });
    const { lines } = await run({
      mapEntries: [
        { variable: 'services', key: 'checkout', value: { cpu: 512 } },
        { variable: 'alarms', key: 'checkout/latency', value: 2.5 },
      ],
    });
    expect(await readVariables()).toEqual({
      services: {
        storefront: { image: 'storefront:1.0.0' },
        checkout: { cpu: 512 },
      },
      alarms: { 'checkout/latency': 2.5 },
    });
    expect(lines).toContain(
      'Wrote services["checkout"], alarms["checkout/latency"] to environment/terraform.tfvars.json',
    );
  });

  it('refuses an existing entry without replace, writing nothing; replaces it with replace', async () => {
    await run({ variables: { services: { storefront: { cpu: 256 } } } });
    const before = await fs.readFile(
      path.join(environment, 'terraform.tfvars.json'),
      'utf8',
    );
    await expect(
      run({
        mapEntries: [
          { variable: 'services', key: 'checkout', value: { cpu: 1 } },
          { variable: 'services', key: 'storefront', value: { cpu: 4096 } },
        ],
      }),
    ).rejects.toThrow(
      new InputError(
        'services already has an entry storefront in terraform.tfvars.json; nothing was written',
      ),
    );
    expect(
      await fs.readFile(
        path.join(environment, 'terraform.tfvars.json'),
        'utf8',
      ),
    ).toBe(before);

    await run({
      mapEntries: [
        {
          variable: 'services',
          key: 'storefront',
          value: { cpu: 4096 },
          replace: true,
        },
      ],
    });
    expect(await readVariables()).toEqual({
      services: { storefront: { cpu: 4096 } },
    });
  });

  it('treats keys and variables named like Object properties as plain names', async () => {
    await run({
      variables: JSON.parse('{"__proto__": {"a": 1}, "constructor": "c"}'),
      mapEntries: [
        { variable: 'services', key: 'constructor', value: 1 },
        { variable: 'services', key: 'toString', value: 2 },
        { variable: '__proto__', key: 'b', value: 3 },
      ],
    });
    const text = await fs.readFile(
      path.join(environment, 'terraform.tfvars.json'),
      'utf8',
    );
    expect(JSON.parse(text)).toEqual(
      JSON.parse(
        '{"__proto__": {"a": 1, "b": 3}, "constructor": "c", "services": {"constructor": 1, "toString": 2}}',
      ),
    );
  });

  it('writes a *.auto.tfvars.json file when asked', async () => {
    const { outputs } = await run({
      file: 'services.auto.tfvars.json',
      variables: { replicas: 2 },
    });
    expect(outputs.file).toBe(
      path.join('environment', 'services.auto.tfvars.json'),
    );
    expect(await readVariables('services.auto.tfvars.json')).toEqual({
      replicas: 2,
    });
  });

  it.each([
    ['../terraform.tfvars.json'],
    ['sub/terraform.tfvars.json'],
    ['/tmp/x.auto.tfvars.json'],
    ['kler-task.auto.tfvars.json'],
    ['.auto.tfvars.json'],
    ['main.tf'],
    ['terraform.tfvars'],
    ['x.json'],
    // Terraform would not load it: the values would be silently ignored.
    ['staging.tfvars.json'],
    [''],
  ])('refuses the file %p', async file => {
    await expect(run({ file, variables: { a: 1 } })).rejects.toThrow(
      /^file '.*' must be terraform\.tfvars\.json or a \*\.auto\.tfvars\.json file name/,
    );
    expect(await fs.readdir(environment)).toEqual([]);
  });

  it.each([
    [
      { variables: { 'bad name': 1 } },
      /'bad name' is not a Terraform variable name/,
    ],
    [{ variables: { '1x': 1 } }, /'1x' is not a Terraform variable name/],
    [
      { mapEntries: [{ variable: 'a.b', key: 'k', value: 1 }] },
      /mapEntries\[0\]\.variable is not a Terraform variable name/,
    ],
    [
      { mapEntries: [{ variable: 'services', key: 'a b', value: 1 }] },
      /mapEntries\[0\]\.key 'a b' is not a map key/,
    ],
    [
      { mapEntries: [{ variable: 'services', key: '', value: 1 }] },
      /mapEntries\[0\]\.key '' is not a map key/,
    ],
    [
      { mapEntries: [{ variable: 'services', key: 'x' }] },
      /mapEntries\[0\]\.value is missing/,
    ],
    [
      { variables: { big: 'x'.repeat(64 * 1024) } },
      /vars\.big is 65538 bytes; at most 65536 are allowed/,
    ],
    [
      {
        mapEntries: [
          { variable: 'services', key: 'big', value: 'x'.repeat(64 * 1024) },
        ],
      },
      /mapEntries\[0\]\.value is 65538 bytes; at most 65536 are allowed/,
    ],
    [
      { workingDirectory: '../outside', variables: { a: 1 } },
      /workingDirectory/,
    ],
  ])('refuses %#: %s', async (input, message) => {
    const error = await run(input).catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(message);
    expect(await fs.readdir(environment)).toEqual([]);
  });

  it.each([
    ['[1, 2]', /not a JSON object of variables: not an object/],
    ['"text"', /not a JSON object of variables: not an object/],
    ['{"a": ', /not a JSON object of variables/],
  ])(
    'refuses an existing file that is %s, leaving it as it is',
    async (text, message) => {
      await fs.writeFile(path.join(environment, 'terraform.tfvars.json'), text);
      await expect(run({ variables: { a: 1 } })).rejects.toThrow(message);
      expect(
        await fs.readFile(
          path.join(environment, 'terraform.tfvars.json'),
          'utf8',
        ),
      ).toBe(text);
    },
  );

  it.each([
    ['a string', '"storefront"'],
    ['a list', '["storefront"]'],
  ])('refuses an entry for a variable that is %s', async (_, value) => {
    const text = `{"services": ${value}}`;
    await fs.writeFile(path.join(environment, 'terraform.tfvars.json'), text);
    await expect(
      run({ mapEntries: [{ variable: 'services', key: 'x', value: 1 }] }),
    ).rejects.toThrow(
      'services in terraform.tfvars.json is not a map, so it cannot take the entry x',
    );
    expect(
      await fs.readFile(
        path.join(environment, 'terraform.tfvars.json'),
        'utf8',
      ),
    ).toBe(text);
  });

  it('starts a map for a variable that is null, as Terraform reads null as unset', async () => {
    await fs.writeFile(
      path.join(environment, 'terraform.tfvars.json'),
      '{"services": null}',
    );
    await run({ mapEntries: [{ variable: 'services', key: 'x', value: 1 }] });
    expect(await readVariables()).toEqual({ services: { x: 1 } });
  });

  it('refuses a variables file that is a symlink, writing nothing through it', async () => {
    const outside = path.join(workspacePath, 'outside.json');
    await fs.writeFile(outside, '{}');
    await fs.symlink(outside, path.join(environment, 'terraform.tfvars.json'));
    await expect(run({ variables: { a: 1 } })).rejects.toThrow(
      'terraform.tfvars.json is not a regular file',
    );
    expect(await fs.readFile(outside, 'utf8')).toBe('{}');
  });
});
