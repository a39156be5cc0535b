import {
  EntityEnvironmentsResponse,
  isSeverityAtLeast,
  serviceCellsOf,
} from '@kler/plugin-environments-common';
import { EnvironmentsApi, ProblemQuery } from '../src/api';
import {
  allProblems,
  degradedShopApi,
  entityEnvironments,
  healthyDevelopment,
  makeEnvironmentDetails,
  makeService,
  makeSummary,
  productionRuns,
  productionWithProblems,
  shopApiRunningBelowDesired,
  shopDatabaseBackupFailed,
} from '../src/testing/fixtures';

const staleDevelopment = makeSummary({
  ...healthyDevelopment,
  name: 'development',
  stale: true,
  status: 'warning',
  areas: { ...healthyDevelopment.areas, scaling: 'warning' },
  error: { name: 'ThrottlingException', message: 'Rate exceeded' },
});

/** Answers from the test fixtures, with a running count that moves, for `yarn start`. */
export class FixtureEnvironmentsApi implements EnvironmentsApi {
  private polls = 0;

  async listEnvironments() {
    return { items: [staleDevelopment, productionWithProblems] };
  }

  async getServiceCells(name: string) {
    const details = await this.getEnvironment(name);
    return { read: Boolean(details.snapshot), cells: serviceCellsOf(details) };
  }

  async getEnvironment(name: string) {
    if (name === 'production') {
      return makeEnvironmentDetails(
        productionWithProblems,
        [
          makeService('storefront'),
          degradedShopApi,
          makeService('admin-panel', { desiredCount: 1 }),
          makeService('image-service'),
          makeService('order-worker', { desiredCount: 3 }),
        ],
        [shopApiRunningBelowDesired, shopDatabaseBackupFailed],
      );
    }
    return makeEnvironmentDetails(staleDevelopment, [
      makeService('storefront'),
      makeService('shop-api'),
    ]);
  }

  async getEntityEnvironments(): Promise<EntityEnvironmentsResponse> {
    this.polls += 1;
    const running = 1 + (this.polls % 3);
    const [development, production] = entityEnvironments.environments;
    return {
      ...entityEnvironments,
      environments: [
        { ...development, summary: staleDevelopment },
        {
          ...production,
          services: production.services.map(s => ({
            ...s,
            service: { ...s.service, runningCount: running },
          })),
        },
      ],
    };
  }

  async listProblems(query: ProblemQuery = {}) {
    return {
      items: allProblems.filter(
        p =>
          (!query.environment || p.environment === query.environment) &&
          (!query.area || p.area === query.area) &&
          (!query.minSeverity ||
            isSeverityAtLeast(p.severity, query.minSeverity)),
      ),
    };
  }

  async listRuns(name: string) {
    return { items: name === 'production' ? productionRuns : [] };
  }
}
