import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  scaffolderActionsExtensionPoint,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleTerraform } from './module';

describe('scaffolderModuleTerraform', () => {
  it('registers the Terraform and local git actions with JSON schemas', async () => {
    const actions: TemplateAction<any, any, any>[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          { addActions: (...added: any[]) => actions.push(...added) },
        ],
      ],
      features: [
        scaffolderModuleTerraform,
        mockServices.rootConfig.factory({
          data: { kler: { terraform: { binary: 'tofu' } } },
        }),
      ],
    });
    expect(actions.map(action => action.id).sort()).toEqual([
      'kler:git:fetchLocal',
      'kler:git:publishLocal',
      'kler:terraform:apply',
      'kler:terraform:check',
      'kler:terraform:output',
      'kler:terraform:plan',
    ]);
    for (const action of actions) {
      expect(action.examples?.length).toBeGreaterThan(0);
      expect(action.schema?.input).toMatchObject({ type: 'object' });
    }
    const apply = actions.find(action => action.id === 'kler:terraform:apply')!;
    expect((apply.schema!.input as any).required).toEqual(['allowDestroy']);
    expect(apply.supportsDryRun).toBe(true);
  });
});
