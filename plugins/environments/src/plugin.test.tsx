import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import { environmentsApiRef } from './api';
import { isEnvironmentsAvailable } from './filters';
import {
  entityEnvironmentContent,
  entityEnvironmentsContent,
  entityEnvironmentsOverviewCard,
  environmentsPlugin,
  onCallPage,
} from './plugin';
import {
  EntityEnvironmentContent,
  EntityEnvironmentsContent,
  EntityEnvironmentsOverviewCard,
  environmentsLegacyPlugin,
  EnvironmentsPage,
} from './legacy';
import {
  healthyProduction,
  makeEnvironmentDetails,
  makeService,
} from './testing/fixtures';
import { createEnvironmentsApiMock } from './testing/mockApi';

const component = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'x', annotations },
  spec: {},
});

const environmentResource: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'production' },
  spec: { type: 'environment' },
};

jest.setTimeout(30_000);

describe('isEnvironmentsAvailable', () => {
  it('accepts components and systems naming an ECS service', () => {
    expect(
      isEnvironmentsAvailable(
        component({ 'kler.io/ecs-service-name': 'shop-api' }),
      ),
    ).toBe(true);
    expect(
      isEnvironmentsAvailable(
        component({
          'aws.amazon.com/amazon-ecs-service-arn':
            'arn:aws:ecs:eu-west-1:1:service/c/shop-api',
        }),
      ),
    ).toBe(true);
    expect(
      isEnvironmentsAvailable({
        ...component({ 'kler.io/ecs-service-name': 'shop' }),
        kind: 'System',
      }),
    ).toBe(true);
  });

  it('rejects entities without the annotations and other kinds', () => {
    expect(isEnvironmentsAvailable(component({}))).toBe(false);
    expect(
      isEnvironmentsAvailable({
        ...component({ 'kler.io/ecs-service-name': 'shop' }),
        kind: 'API',
      }),
    ).toBe(false);
  });
});

describe('environments plugin (new frontend system)', () => {
  it('is the plugin with id environments and the documented extension ids', () => {
    expect(environmentsPlugin.id).toBe('environments');
    for (const id of [
      'api:environments',
      'page:environments',
      'entity-content:environments',
      'entity-card:environments/overview',
      'entity-content:environments/environment',
    ] as const) {
      expect(environmentsPlugin.getExtension(id)).toBeDefined();
    }
  });

  it('mounts the on-call page at /environments, titled for the sidebar', () => {
    const tester = createExtensionTester(onCallPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/environments');
    expect(tester.get(coreExtensionData.title)).toBe('On-call');
  });

  it('renders the on-call page through its extension', async () => {
    const api = createEnvironmentsApiMock();
    api.listEnvironments.mockResolvedValue({ items: [healthyProduction] });
    api.listProblems.mockResolvedValue({ items: [] });
    api.getEnvironment.mockResolvedValue(
      makeEnvironmentDetails(healthyProduction, [makeService('shop-api')]),
    );
    renderInTestApp(
      createExtensionTester(onCallPage, {
        apis: [[environmentsApiRef, api]],
      }).reactElement(),
      {
        apis: [[environmentsApiRef, api]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    // the lazy page content replaces nodes while it loads: wait for it first
    expect(
      await screen.findByRole(
        'region',
        { name: 'Environment Production' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'On-call' }),
    ).toBeInTheDocument();
  });

  it('offers the Environments tab only to entities with a service', () => {
    const tester = createExtensionTester(entityEnvironmentsContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('environments');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Environments',
    );
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(component({ 'kler.io/ecs-service-name': 'shop-api' }))).toBe(
      true,
    );
    expect(filter(component({}))).toBe(false);
  });

  it('offers the overview card to entities with a service', () => {
    const tester = createExtensionTester(entityEnvironmentsOverviewCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction)!;
    expect(filter(component({ 'kler.io/ecs-service-name': 'shop-api' }))).toBe(
      true,
    );
    expect(filter(environmentResource)).toBe(false);
  });

  it('offers the Environment tab to environment resources only', () => {
    const tester = createExtensionTester(entityEnvironmentContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'Environment',
    );
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(environmentResource)).toBe(true);
    expect(filter({ ...environmentResource, spec: { type: 'database' } })).toBe(
      false,
    );
  });
});

describe('environments plugin (legacy frontend system)', () => {
  it('provides the API and the extensions', () => {
    expect(environmentsLegacyPlugin.getId()).toBe('environments');
    expect([...environmentsLegacyPlugin.getApis()].map(f => f.api.id)).toEqual([
      environmentsApiRef.id,
    ]);
    for (const extension of [
      EnvironmentsPage,
      EntityEnvironmentsContent,
      EntityEnvironmentsOverviewCard,
      EntityEnvironmentContent,
    ]) {
      expect(typeof extension).toBe('function');
    }
  });
});
