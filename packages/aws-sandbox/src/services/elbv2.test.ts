import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetGroupsCommandInput,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeTargetGroups,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { generateScenario } from '../scenario/generate';
import { RunningSandbox, startSandbox } from '../server';
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

describe('ELBv2 DescribeTargetGroups', () => {
  let sandbox: RunningSandbox;
  let elb: ElasticLoadBalancingV2Client;
  beforeAll(async () => {
    sandbox = await startKlerSandbox(PEAK);
    elb = new ElasticLoadBalancingV2Client(
      clientConfig(sandbox.url, PRODUCTION),
    );
  });
  afterAll(() => sandbox.close());

  const describeTargetGroups = (input: DescribeTargetGroupsCommandInput) =>
    elb.send(new DescribeTargetGroupsCommand(input));

  it("lists every service's target group, attached to the environment's load balancer", async () => {
    const out = await describeTargetGroups({});
    expect(out.NextMarker).toBeUndefined();
    expect(out.TargetGroups!.map(g => g.TargetGroupName)).toEqual([
      'kler-production-storefront',
      'kler-production-shop-api',
      'kler-production-admin-panel',
      'kler-production-image-service',
    ]);
    const storefront = out.TargetGroups![0];
    expect(storefront).toEqual({
      TargetGroupArn: expect.stringMatching(
        /^arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup\/kler-production-storefront\/[0-9a-f]{16}$/,
      ),
      TargetGroupName: 'kler-production-storefront',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: expect.stringMatching(/^vpc-[0-9a-f]{17}$/),
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: 'traffic-port',
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      HealthCheckPath: '/health',
      Matcher: { HttpCode: '200' },
      LoadBalancerArns: [
        expect.stringMatching(
          /^arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer\/app\/kler-production\/[0-9a-f]{16}$/,
        ),
      ],
      TargetType: 'ip',
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4',
    } satisfies TargetGroup);
    // one load balancer for the environment
    expect(
      new Set(out.TargetGroups!.map(g => g.LoadBalancerArns![0])).size,
    ).toBe(1);
    // the same ARN the ECS service names
    const ecs = new ECSClient(clientConfig(sandbox.url, PRODUCTION));
    const service = await ecs.send(
      new DescribeServicesCommand({
        cluster: 'kler-production',
        services: ['storefront'],
      }),
    );
    expect(service.services![0].loadBalancers![0].targetGroupArn).toBe(
      storefront.TargetGroupArn,
    );
  });

  it('keeps each account to its own target groups', async () => {
    const development = new ElasticLoadBalancingV2Client(
      clientConfig(sandbox.url, DEVELOPMENT),
    );
    const out = await development.send(new DescribeTargetGroupsCommand({}));
    expect(out.TargetGroups).toHaveLength(4);
    expect(
      out.TargetGroups!.every(g =>
        g.LoadBalancerArns![0].includes(
          ':111111111111:loadbalancer/app/kler-development/',
        ),
      ),
    ).toBe(true);
  });

  it('pages with PageSize and Marker', async () => {
    const first = await describeTargetGroups({ PageSize: 3 });
    expect(first.TargetGroups).toHaveLength(3);
    expect(first.NextMarker).toEqual(expect.any(String));
    const second = await describeTargetGroups({
      PageSize: 3,
      Marker: first.NextMarker,
    });
    expect(second.TargetGroups!.map(g => g.TargetGroupName)).toEqual([
      'kler-production-image-service',
    ]);
    expect(second.NextMarker).toBeUndefined();
  });

  it('filters by ARNs, names or load balancer', async () => {
    const all = (await describeTargetGroups({})).TargetGroups!;
    const byArn = await describeTargetGroups({
      TargetGroupArns: [all[2].TargetGroupArn!, all[0].TargetGroupArn!],
    });
    expect(byArn.TargetGroups!.map(g => g.TargetGroupName)).toEqual([
      'kler-production-admin-panel',
      'kler-production-storefront',
    ]);
    const byName = await describeTargetGroups({
      Names: ['kler-production-shop-api'],
    });
    expect(byName.TargetGroups!.map(g => g.TargetGroupArn)).toEqual([
      all[1].TargetGroupArn,
    ]);
    const byLoadBalancer = await describeTargetGroups({
      LoadBalancerArn: all[0].LoadBalancerArns![0],
    });
    expect(byLoadBalancer.TargetGroups).toHaveLength(4);
  });

  it('answers AWS errors for unknown groups, load balancers and bad page sizes', async () => {
    const unknownArn = await describeTargetGroups({
      TargetGroupArns: [
        'arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/none/0000000000000000',
      ],
    }).catch(e => e);
    expect(unknownArn.name).toBe('TargetGroupNotFoundException');
    expect(unknownArn.$metadata.httpStatusCode).toBe(400);
    const unknownName = await describeTargetGroups({ Names: ['none'] }).catch(
      e => e,
    );
    expect(unknownName.name).toBe('TargetGroupNotFoundException');
    const unknownLoadBalancer = await describeTargetGroups({
      LoadBalancerArn:
        'arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/app/none/0000000000000000',
    }).catch(e => e);
    expect(unknownLoadBalancer.name).toBe('LoadBalancerNotFoundException');
    for (const PageSize of [0, 401]) {
      const error = await describeTargetGroups({ PageSize }).catch(e => e);
      expect(error.Code).toBe('ValidationError');
      expect(error.message).toContain(`Value '${PageSize}' at 'pageSize'`);
    }
    const both = await describeTargetGroups({
      Names: ['kler-production-shop-api'],
      LoadBalancerArn: 'arn:aws:elasticloadbalancing:x',
    }).catch(e => e);
    expect(both.Code).toBe('ValidationError');
    const badMarker = await describeTargetGroups({
      Marker: 'not-a-marker',
    }).catch(e => e);
    expect(badMarker.Code).toBe('ValidationError');
  });

  it('pages 1,000 target groups in pages of 400', async () => {
    const scenario = generateScenario({
      environments: 1,
      servicesPerEnvironment: 1000,
      tasksPerService: 1,
    });
    const large = await startSandbox({
      scenario,
      clock: { start: PEAK, speed: 0 },
    });
    try {
      large.admin.setThrottling({ enabled: false });
      const client = new ElasticLoadBalancingV2Client(
        clientConfig(large.url, scenario.accounts[0].id),
      );
      const sizes: number[] = [];
      const arns = new Set<string>();
      for await (const page of paginateDescribeTargetGroups(
        { client },
        { PageSize: 400 },
      )) {
        sizes.push(page.TargetGroups!.length);
        page.TargetGroups!.forEach(g => arns.add(g.TargetGroupArn!));
      }
      expect(sizes).toEqual([400, 400, 200]);
      expect(arns.size).toBe(1000);
    } finally {
      await large.close();
    }
  });
});
