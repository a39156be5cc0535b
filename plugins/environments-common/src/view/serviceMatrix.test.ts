import { evaluateEnvironment } from '../evaluateEnvironment';
import { healthySnapshot, NOW, serviceOf } from '../__fixtures__/snapshots';
import { Problem } from '../types';
import {
  buildServiceMatrix,
  groupProblemsByService,
  serviceCellsOf,
} from './serviceMatrix';

function detailsOf(snapshot = healthySnapshot()) {
  return {
    snapshot,
    evaluation: evaluateEnvironment(snapshot, { now: NOW }),
  };
}

describe('serviceCellsOf', () => {
  it('gives each service its counts, rollout and status', () => {
    const cells = serviceCellsOf(detailsOf());
    expect(cells.get('shop-api')).toEqual({
      status: 'ok',
      runningCount: 2,
      desiredCount: 2,
      pendingCount: 0,
      rolloutState: 'COMPLETED',
      atMax: false,
      problemCount: 0,
    });
  });

  it('says when a service is at its maximum and carries the rules’ status', () => {
    const snapshot = healthySnapshot();
    const shopApi = serviceOf(snapshot, 'shop-api');
    shopApi.desiredCount = 6;
    shopApi.runningCount = 1;
    const cell = serviceCellsOf(detailsOf(snapshot)).get('shop-api')!;
    expect(cell.atMax).toBe(true);
    expect(cell.status).toBe('error');
    expect(cell.problemCount).toBeGreaterThan(0);
  });

  it('is empty for an environment that could not be read', () => {
    expect(serviceCellsOf({}).size).toBe(0);
  });
});

describe('buildServiceMatrix', () => {
  it('puts the worst service first and keeps the others by name', () => {
    const production = healthySnapshot('production');
    serviceOf(production, 'storefront').runningCount = 0;
    const development = healthySnapshot('development');
    const rows = buildServiceMatrix(
      new Map([
        ['production', serviceCellsOf(detailsOf(production))],
        ['development', serviceCellsOf(detailsOf(development))],
      ]),
    );
    expect(rows[0].serviceName).toBe('storefront');
    expect(rows[0].status).toBe('error');
    expect(rows[0].cells.production?.status).toBe('error');
    expect(rows[0].cells.development?.status).toBe('ok');
    const rest = rows.slice(1).map(r => r.serviceName);
    expect(rest).toEqual([...rest].sort((a, b) => a.localeCompare(b)));
  });

  it('leaves a cell empty where an environment does not run the service', () => {
    const development = healthySnapshot('development');
    development.services = development.services.filter(
      s => s.serviceName !== 'admin-panel',
    );
    const rows = buildServiceMatrix(
      new Map([
        ['production', serviceCellsOf(detailsOf())],
        ['development', serviceCellsOf(detailsOf(development))],
      ]),
    );
    const adminPanel = rows.find(r => r.serviceName === 'admin-panel')!;
    expect(adminPanel.cells.production).toBeDefined();
    expect(adminPanel.cells.development).toBeUndefined();
  });
});

describe('groupProblemsByService', () => {
  const problem = (id: string, serviceName?: string): Problem => ({
    id,
    environment: 'production',
    area: 'health',
    severity: 'high',
    title: id,
    explanation: '',
    proposedFix: '',
    serviceName,
  });

  it('groups by service in the order of each group’s first problem', () => {
    const groups = groupProblemsByService([
      problem('a', 'shop-api'),
      problem('b'),
      problem('c', 'storefront'),
      problem('d', 'shop-api'),
    ]);
    expect(groups.map(g => [g.serviceName, g.problems.map(p => p.id)])).toEqual(
      [
        ['shop-api', ['a', 'd']],
        [undefined, ['b']],
        ['storefront', ['c']],
      ],
    );
  });
});
