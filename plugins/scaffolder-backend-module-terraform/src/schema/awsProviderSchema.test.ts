import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ENVIRONMENT_TERRAFORM_DIR } from '../__testUtils__/templates';
import artifact from './aws-provider-schema.json';
import {
  AwsProviderSchema,
  getAwsProviderSchema,
  parseBlockNotation,
} from './awsProviderSchema';

const GENERATOR = path.resolve(
  // Tests always run from source, where __dirname is this folder.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../scripts/generate-aws-schema.mjs',
);

describe('the committed AWS provider schema', () => {
  it('is what the generator makes from the installed @cdktn/provider-aws', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [GENERATOR, '--stdout'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    // Compared as data: a change of formatting alone is no drift.
    expect(JSON.parse(stdout)).toEqual(artifact);
  }, 60_000);

  it('is of the provider major version the templates require', async () => {
    const versions = await fs.readFile(
      path.join(ENVIRONMENT_TERRAFORM_DIR, 'versions.tf'),
      'utf8',
    );
    const constraint =
      /source\s*=\s*"hashicorp\/aws"\s*\n\s*version\s*=\s*"~>\s*(\d+)\./.exec(
        versions,
      );
    const schema = getAwsProviderSchema();
    expect(schema.provider).toBe('registry.terraform.io/hashicorp/aws');
    expect(constraint?.[1]).toBeDefined();
    expect(schema.version.split('.')[0]).toBe(constraint?.[1]);
  });

  it('knows the types the templates use, and their nested blocks', () => {
    const schema = getAwsProviderSchema();
    const listener = schema.block('resource', 'aws_lb_listener')!;
    expect(listener.arguments).toContain('load_balancer_arn');
    expect(
      listener.blocks
        .get('default_action')
        ?.blocks.get('forward')
        ?.blocks.has('target_group'),
    ).toBe(true);
    expect(
      schema.block('data', 'aws_iam_policy_document')?.blocks.has('statement'),
    ).toBe(true);
    expect(schema.block('resource', 'aws_iam_policy_document')).toBeUndefined();
    expect(schema.block('resource', 'constructor')).toBeUndefined();
    expect(schema.typeNames('ephemeral')).toContain(
      'aws_secretsmanager_secret_version',
    );
    expect(schema.providerConfig().blocks.get('assume_role')).toBeDefined();
  });
});

describe('parseBlockNotation', () => {
  it('reads arguments and nested blocks', () => {
    const block = parseBlockNotation('a b{c d{e}} f{}');
    expect([...block.arguments]).toEqual(['a']);
    expect([...block.blocks.keys()]).toEqual(['b', 'f']);
    expect([...block.blocks.get('b')!.arguments]).toEqual(['c']);
    expect([...block.blocks.get('b')!.blocks.get('d')!.arguments]).toEqual([
      'e',
    ]);
    expect(block.blocks.get('f')!.arguments.size).toBe(0);
  });

  it('reads a block that contains an enclosing one', () => {
    const rule = parseBlockNotation(
      'name statement{and_statement{statement^1} byte_match{field}}',
    );
    const statement = rule.blocks.get('statement')!;
    expect(statement.blocks.get('and_statement')!.blocks.get('statement')).toBe(
      statement,
    );
  });

  it('refuses a notation that is not well formed', () => {
    expect(() => parseBlockNotation('a{b')).toThrow(/not closed/);
    expect(() => parseBlockNotation('a}')).toThrow(/Unexpected "}"/);
    expect(() => parseBlockNotation('a{b^5}')).toThrow(/names no enclosing/);
    expect(() => parseBlockNotation('a, b')).toThrow(/Unexpected ","/);
  });
});

describe('AwsProviderSchema', () => {
  it('reads only the types it is given', () => {
    const schema = new AwsProviderSchema({
      source: 'test',
      provider: 'registry.terraform.io/hashicorp/aws',
      version: '6.0.0',
      providerConfig: 'region',
      resources: { aws_thing: 'name' },
      dataSources: {},
      ephemeralResources: {},
    });
    expect(schema.typeNames('resource')).toEqual(['aws_thing']);
    expect(schema.block('resource', 'aws_thing')?.arguments).toContain('name');
    expect(schema.block('resource', 'aws_other')).toBeUndefined();
    expect(schema.block('data', 'aws_thing')).toBeUndefined();
  });
});
