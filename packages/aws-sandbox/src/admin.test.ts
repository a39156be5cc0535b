import { ECSClient, ListServicesCommand } from '@aws-sdk/client-ecs';
import type { RunningSandbox } from './server';
import { clientConfig, PEAK, PRODUCTION, startKlerSandbox } from './testUtils';

describe('admin API', () => {
  let sandbox: RunningSandbox;
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${sandbox.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(async r => ({ status: r.status, body: await r.json() }));

  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
  });
  afterAll(() => sandbox.close());

  it('reports the state of the environments', async () => {
    const { status, body } = await call('GET', '/_sandbox/state');
    expect(status).toBe(200);
    expect(body.now).toBe('2026-11-26T19:30:00.000Z');
    expect(body.environments.map((e: any) => e.name)).toEqual([
      'production',
      'development',
    ]);
    const storefront = body.environments[0].services.find(
      (s: any) => s.name === 'storefront',
    );
    expect(storefront).toEqual({
      name: 'storefront',
      desired: 12,
      running: 12,
    });
  });

  it('sets, lists and removes faults', async () => {
    const put = await call('PUT', '/_sandbox/faults', {
      faults: [{ id: 'deny-ecs', service: 'ecs', accessDenied: true }],
    });
    expect(put.status).toBe(200);
    const ecs = new ECSClient(clientConfig(sandbox.url, PRODUCTION));
    await expect(
      ecs.send(new ListServicesCommand({ cluster: 'kler-production' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    expect((await call('GET', '/_sandbox/faults')).body.faults).toHaveLength(1);
    expect((await call('DELETE', '/_sandbox/faults/deny-ecs')).status).toBe(
      200,
    );
    await expect(
      ecs.send(new ListServicesCommand({ cluster: 'kler-production' })),
    ).resolves.toBeDefined();
    const added = await call('POST', '/_sandbox/faults', {
      service: 'ecs',
      latencyMs: 5,
    });
    expect(added.status).toBe(201);
    expect((await call('DELETE', '/_sandbox/faults')).body.faults).toEqual([]);
  });

  it('rejects a bad fault naming the key', async () => {
    const { status, body } = await call('PUT', '/_sandbox/faults', {
      faults: [{ serverError: 404 }],
    });
    expect(status).toBe(400);
    expect(body.error).toMatch(/serverError/);
  });

  it('moves and speeds up the clock, and resets it', async () => {
    const set = await call('POST', '/_sandbox/clock', {
      set: '2026-11-26T04:00:00Z',
      speed: 0,
    });
    expect(set.body).toEqual({ now: '2026-11-26T04:00:00.000Z', speed: 0 });
    const state = await call('GET', '/_sandbox/state');
    expect(state.body.environments[0].services[0].desired).toBe(3);
    await call('POST', '/_sandbox/clock', { speed: 3600 });
    await new Promise(resolve => setTimeout(resolve, 100));
    const later = await call('GET', '/_sandbox/state');
    expect(
      Date.parse(later.body.now) - Date.parse('2026-11-26T04:00:00Z'),
    ).toBeGreaterThanOrEqual(300_000);
    expect((await call('POST', '/_sandbox/clock', { speed: -1 })).status).toBe(
      400,
    );
    const reset = await call('POST', '/_sandbox/reset');
    expect(reset.body.now).toBe('2026-11-26T19:30:00.000Z');
    expect(reset.body.speed).toBe(0);
  });

  it('toggles the default throttling', async () => {
    const { body } = await call('PUT', '/_sandbox/throttling', {
      enabled: false,
    });
    expect(body).toEqual({ enabled: false, ratePerSecond: 20, burst: 40 });
    await call('POST', '/_sandbox/reset');
  });

  it('answers 404 for unknown admin routes', async () => {
    expect((await call('GET', '/_sandbox/nothing')).status).toBe(404);
  });
});
