import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import fs from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { scaffolderModuleTerraform } from '../module';
import { readTemplate, TEMPLATES_DIR } from '../__testUtils__/templates';

jest.setTimeout(180_000);

/**
 * kler-environment through the real scaffolder's dry-run API: every step the
 * engine runs in dry-run, with the real Terraform, and an output that does not
 * claim an environment that was not provisioned.
 */
describe('kler-environment on the scaffolder (dry-run API)', () => {
  it('checks, plans honestly, skips apply and says the environment was not provisioned', async () => {
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleTerraform,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: { kler: { terraform: { timeoutMinutes: 2 } } },
        }),
      ],
    });
    const dir = path.join(TEMPLATES_DIR, 'kler-environment');
    const entries = await fs.readdir(dir, {
      recursive: true,
      withFileTypes: true,
    });
    const directoryContents = await Promise.all(
      entries
        .filter(entry => entry.isFile() && entry.name !== 'template.yaml')
        .map(async entry => {
          const file = path.join(entry.parentPath, entry.name);
          return {
            path: path.relative(dir, file),
            base64Content: (await fs.readFile(file)).toString('base64'),
          };
        }),
    );
    const { template } = await readTemplate('kler-environment');

    const response = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .send({
        template,
        values: {
          name: 'staging',
          tier: 'production',
          owner: 'group:default/platform-team',
          awsAccountId: '111111111111',
          awsRegion: 'eu-west-1',
          instanceType: 't3.large',
          capacityMin: 1,
          capacityMax: 3,
          efs: true,
          backupSchedule: 'daily',
          backupRetentionDays: 7,
          services: [
            {
              name: 'storefront',
              image: 'public.ecr.aws/kler/storefront:1.0.0',
              cpu: 512,
              memory: 1024,
              desiredMin: 1,
              desiredMax: 2,
            },
          ],
        },
        secrets: {},
        directoryContents,
      });

    expect(response.status).toBe(200);
    const messages: string[] = response.body.log.map(
      (entry: { body: { stepId?: string; message: string } }) =>
        `${entry.body.stepId}: ${entry.body.message}`,
    );
    const log = messages.join('\n');
    expect(log).toMatch(
      /check: .*Formatting is canonical; validation was skipped/,
    );
    expect(log).toMatch(
      /plan: .*Plan skipped: AWS credentials for account 111111111111/,
    );
    expect(log).toMatch(/apply: .*Apply skipped: the plan was not made/);
    expect(log).toMatch(/outputs: .*Outputs skipped/);
    expect(log).toContain(
      'Skipping step register because its if condition was false',
    );

    const [what] = response.body.output.text;
    expect(what.content).toContain('formatting passed; validation skipped');
    expect(what.content).toContain('The environment was not provisioned.');
    expect(what.content).toContain('Catalog: not registered');
    expect(what.content).not.toMatch(/applied:|registered;/);
  });
});
