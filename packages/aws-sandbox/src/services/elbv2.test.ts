import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RunningSandbox } from '../server';
import {
  clientConfig,
  DEVELOPMENT,
  PEAK,
  PRODUCTION,
  startKlerSandbox,
} from '../testUtils';

describe('ELBv2', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
  });
  afterAll(() => sandbox.close());

  async function targetGroupOf(
    account: string,
    cluster: string,
    service: string,
  ) {
    const ecs = new ECSClient(clientConfig(sandbox.url, account));
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster, services: [service] }),
    );
    return {
      arn: out.services![0].loadBalancers![0].targetGroupArn!,
      running: out.services![0].runningCount!,
    };
  }

  it("reports one target per running task of the service's target group", async () => {
    const { arn, running } = await targetGroupOf(
      PRODUCTION,
      'kler-production',
      'storefront',
    );
    const elb = new ElasticLoadBalancingV2Client(
      clientConfig(sandbox.url, PRODUCTION),
    );
    const out = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
    );
    const healthy = out.TargetHealthDescriptions!.filter(
      d => d.TargetHealth!.State === 'healthy',
    );
    expect(healthy.length).toBe(running);
    expect(out.TargetHealthDescriptions![0].Target).toMatchObject({
      Port: 8080,
      Id: expect.stringMatching(/^10\./),
    });
  });

  it("shows development shop-api's targets failing health checks", async () => {
    const { arn } = await targetGroupOf(
      DEVELOPMENT,
      'kler-development',
      'shop-api',
    );
    const elb = new ElasticLoadBalancingV2Client(
      clientConfig(sandbox.url, DEVELOPMENT),
    );
    const states = new Set<string>();
    for (let minutes = 0; minutes < 60; minutes += 5) {
      sandbox.admin.setClock({ set: Date.parse(PEAK) + minutes * 60000 });
      const out = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
      );
      out.TargetHealthDescriptions!.forEach(d =>
        states.add(`${d.TargetHealth!.State}:${d.TargetHealth!.Reason ?? ''}`),
      );
    }
    sandbox.admin.setClock({ set: PEAK });
    expect(states).toContain('unhealthy:Target.ResponseCodeMismatch');
    expect(states).toContain('healthy:');
  });

  it('answers TargetGroupNotFound for an unknown group', async () => {
    const elb = new ElasticLoadBalancingV2Client(
      clientConfig(sandbox.url, PRODUCTION),
    );
    const error = await elb
      .send(
        new DescribeTargetHealthCommand({
          TargetGroupArn:
            'arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/none/0',
        }),
      )
      .catch(e => e);
    expect(error.name).toBe('TargetGroupNotFoundException');
    expect(error.Code).toBe('TargetGroupNotFound');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});
