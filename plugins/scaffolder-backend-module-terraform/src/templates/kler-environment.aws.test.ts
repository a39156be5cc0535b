import {
  ENVIRONMENT_TERRAFORM_DIR,
  evaluateTerraformLocals,
  parseTerraform,
  readTemplate,
} from '../__testUtils__/templates';

jest.setTimeout(120_000);

/**
 * What real AWS needs of kler-environment's Terraform (issue 13), proven
 * offline: the configuration's HCL, parsed with hcl2json, and its variables
 * and locals evaluated by Terraform itself for the values that matter.
 */

/** The longest names the template's patterns allow, and names with "--". */
const LONGEST_ENVIRONMENT = `e${'x'.repeat(28)}9`;
const LONGEST_SERVICES = [`${'s'.repeat(31)}a`, `${'s'.repeat(31)}b`];

/** A service entry of the services variable. */
function serviceEntry(overrides: Record<string, unknown> = {}) {
  return {
    image_tag: '1.4.2',
    cpu: 256,
    memory: 512,
    desired_min: 1,
    desired_max: 2,
    ...overrides,
  };
}

/** terraform.tfvars.json of an environment, with `overrides`. */
function environmentVariables(overrides: Record<string, unknown> = {}) {
  return {
    name: 'dev-two',
    tier: 'development',
    owner: 'group:default/platform-team',
    aws_account_id: '111111111111',
    aws_region: 'eu-west-1',
    instance_type: 't3.large',
    capacity_min: 1,
    capacity_max: 3,
    efs: true,
    backup_schedule: 'daily',
    backup_retention_days: 7,
    domain_name: 'dev-two.kler.example',
    hosted_zone_id: 'Z0123456789ABCDEFGHIJ',
    alarm_emails: ['oncall@kler.example'],
    default_service: 'storefront',
    services: { storefront: serviceEntry() },
    ...overrides,
  };
}

/** AWS's limit and pattern for each kind of name the environment gives. */
const NAME_RULES: Record<string, { limit: number; pattern: RegExp }> = {
  cluster: { limit: 255, pattern: /^[a-zA-Z0-9_-]+$/ },
  // Capacity provider names may not start with aws, ecs or fargate.
  capacity_provider: {
    limit: 255,
    pattern: /^(?!aws|ecs|fargate)[a-zA-Z0-9_-]+$/,
  },
  load_balancer: {
    limit: 32,
    pattern: /^(?!internal-)[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
  },
  alb_logs_bucket: {
    limit: 63,
    pattern: /^(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  },
  instance_role: { limit: 64, pattern: /^[\w+=,.@-]+$/ },
  instance_profile: { limit: 128, pattern: /^[\w+=,.@-]+$/ },
  backup_role: { limit: 64, pattern: /^[\w+=,.@-]+$/ },
  backup_vault: { limit: 50, pattern: /^[a-zA-Z0-9_-]{2,50}$/ },
  backup_plan: { limit: 50, pattern: /^[a-zA-Z0-9_.-]{1,50}$/ },
  backup_selection: { limit: 50, pattern: /^[a-zA-Z0-9_.-]{1,50}$/ },
  efs_creation_token: { limit: 64, pattern: /^.{1,64}$/ },
  // RDS: a letter first, no "--", no hyphen last.
  database: {
    limit: 63,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
  },
  database_subnet_group: { limit: 255, pattern: /^[a-z0-9 ._-]+$/ },
  kms_alias: { limit: 256, pattern: /^alias\/(?!aws\/)[a-zA-Z0-9/_-]+$/ },
  alarm_topic: { limit: 256, pattern: /^[a-zA-Z0-9_-]+$/ },
  target_group: {
    limit: 32,
    pattern: /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
  },
  execution_role: { limit: 64, pattern: /^[\w+=,.@-]+$/ },
  task_role: { limit: 64, pattern: /^[\w+=,.@-]+$/ },
  // ECR: lower-case components separated by one . _ - or /.
  ecr_repository: {
    limit: 256,
    pattern:
      /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
  },
  log_group: { limit: 512, pattern: /^[\w/.#-]+$/ },
  security_group: { limit: 255, pattern: /^[\w .:/()#,@[\]+=&;{}!$*-]+$/ },
  task_family: { limit: 255, pattern: /^[a-zA-Z0-9_-]+$/ },
};

function breaksItsRule(kind: string, name: string) {
  const rule = NAME_RULES[kind];
  if (!rule) return `no rule for ${kind}`;
  if (name.length > rule.limit) return `${name.length} > ${rule.limit}`;
  return rule.pattern.test(name) ? undefined : `does not match ${rule.pattern}`;
}

describe('names too long: every AWS name fits its limit for every name the patterns allow', () => {
  it.each([
    ['the longest names', LONGEST_ENVIRONMENT, LONGEST_SERVICES],
    ['names with "--"', 'a--b', ['c--d', 'c-d']],
  ])(
    'Terraform fits %s offline, keeping distinct names distinct',
    async (_case, name, serviceNames) => {
      const { exitCode, stderr, locals } = await evaluateTerraformLocals(
        ENVIRONMENT_TERRAFORM_DIR,
        environmentVariables({
          name,
          default_service: serviceNames[0],
          services: Object.fromEntries(
            serviceNames.map(service => [service, serviceEntry()]),
          ),
        }),
        ['names', 'service_names'],
      );
      expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
      const problems: string[] = [];
      for (const [kind, value] of Object.entries<string>(locals!.names)) {
        const problem = breaksItsRule(kind, value);
        if (problem) problems.push(`${kind} ${value}: ${problem}`);
      }
      for (const [service, names] of Object.entries<Record<string, string>>(
        locals!.service_names,
      )) {
        for (const [kind, value] of Object.entries(names)) {
          const problem = breaksItsRule(kind, value);
          if (problem) problems.push(`${service} ${kind} ${value}: ${problem}`);
        }
      }
      expect(problems).toEqual([]);

      // Two services never share a name of any kind.
      const [first, second] = serviceNames.map(
        service => locals!.service_names[service],
      );
      for (const kind of Object.keys(first)) {
        expect({ kind, same: first[kind] === second[kind] }).toEqual({
          kind,
          same: false,
        });
      }
    },
  );

  it('keeps a name that fits as it is', async () => {
    const { locals } = await evaluateTerraformLocals(
      ENVIRONMENT_TERRAFORM_DIR,
      environmentVariables(),
      ['names', 'service_names'],
    );
    expect(locals!.names).toMatchObject({
      cluster: 'kler-dev-two',
      load_balancer: 'kler-dev-two',
      backup_vault: 'kler-dev-two',
      database: 'kler-dev-two',
      alb_logs_bucket: 'kler-dev-two-alb-logs-111111111111',
    });
    expect(locals!.service_names.storefront).toMatchObject({
      target_group: 'kler-dev-two-storefront',
      ecr_repository: 'kler/dev-two/storefront',
      execution_role: 'dev-two-storefront-execution',
      task_role: 'dev-two-storefront-task',
    });
  });

  it('gives the modules those names, never a name of their own making', async () => {
    const parsed = await parseTerraform(ENVIRONMENT_TERRAFORM_DIR);
    const text = JSON.stringify(parsed);
    // No module cuts a name itself: substr() of a name lives in locals.tf only.
    for (const [file, body] of Object.entries(parsed)) {
      if (file === 'locals.tf') continue;
      expect({ file, cuts: /substr\(/.test(JSON.stringify(body)) }).toEqual({
        file,
        cuts: false,
      });
    }
    expect(text).toContain('local.names.load_balancer');
    expect(text).toContain('local.service_names');
    const lb = parsed['modules/alb/main.tf'].resource.aws_lb.this[0];
    expect(lb.name).toBe('${var.names.load_balancer}');
    const targetGroup =
      parsed['modules/alb/main.tf'].resource.aws_lb_target_group.service[0];
    expect(targetGroup.name).toBe(
      '${var.services[each.key].target_group_name}',
    );
  });
});

describe('the Terraform as written', () => {
  let parsed: Record<string, Record<string, any>>;

  beforeAll(async () => {
    parsed = await parseTerraform(ENVIRONMENT_TERRAFORM_DIR);
  });

  /** The one block of a kind and name in a file, e.g. resource aws_lb this. */
  const block = (file: string, ...keys: string[]) => {
    const unwrap = (value: any) => (Array.isArray(value) ? value[0] : value);
    const found = keys.reduce(
      (at: any, key) => unwrap(at?.[key]),
      parsed[file] as any,
    );
    if (found === undefined) {
      throw new Error(`${file} has no ${keys.join(' ')}`);
    }
    return found;
  };

  describe('apply says "applied" while services are down', () => {
    it('waits for every service to reach a steady state, within a bound', () => {
      const service = block(
        'modules/ecs-service/main.tf',
        'resource',
        'aws_ecs_service',
        'this',
      );
      expect(service.wait_for_steady_state).toBe(true);
      expect(service.timeouts[0]).toEqual({ create: '20m', update: '20m' });
      // The circuit breaker still ends a deployment that cannot become steady.
      expect(service.deployment_circuit_breaker[0]).toEqual({
        enable: true,
        rollback: true,
      });
    });
  });

  describe('first-apply races', () => {
    it('services wait for the capacity provider association and the listener rules', () => {
      const capacityProvider = block(
        'modules/ecs-cluster/outputs.tf',
        'output',
        'capacity_provider_name',
      );
      expect(capacityProvider.depends_on).toEqual([
        '${aws_ecs_cluster_capacity_providers.this}',
      ]);
      const targetGroups = block(
        'modules/alb/outputs.tf',
        'output',
        'target_group_arns',
      );
      expect(targetGroups.depends_on).toEqual([
        '${aws_lb_listener_rule.service}',
      ]);
      // The service takes both from those outputs.
      const service = block('main.tf', 'module', 'service');
      expect(service.capacity_provider_name).toBe(
        '${module.cluster.capacity_provider_name}',
      );
      expect(service.target_group_arn).toBe(
        '${module.load_balancer.target_group_arns[each.key]}',
      );
      const ecsService = block(
        'modules/ecs-service/main.tf',
        'resource',
        'aws_ecs_service',
        'this',
      );
      expect(ecsService.capacity_provider_strategy[0].capacity_provider).toBe(
        '${var.capacity_provider_name}',
      );
      expect(ecsService.load_balancer[0].target_group_arn).toBe(
        '${var.target_group_arn}',
      );
    });
  });

  describe('secrets reach state', () => {
    it('creates each secret with a write-only value from an ephemeral source, so no value is ever in state', () => {
      const secret = block(
        'modules/parameters/main.tf',
        'resource',
        'aws_ssm_parameter',
        'secret',
      );
      expect(secret).toMatchObject({
        type: 'SecureString',
        key_id: '${var.kms_key_arn}',
        value_wo:
          '${ephemeral.aws_secretsmanager_random_password.initial[each.key].random_password}',
        value_wo_version: 1,
      });
      expect(secret).not.toHaveProperty('value');
      expect(secret).not.toHaveProperty('insecure_value');
      expect(secret).not.toHaveProperty('lifecycle');
      expect(
        block(
          'modules/parameters/main.tf',
          'ephemeral',
          'aws_secretsmanager_random_password',
          'initial',
        ).for_each,
      ).toBe('${var.secrets}');
      // Write-only arguments need Terraform 1.11.
      expect(block('versions.tf', 'terraform').required_version).toBe(
        '>= 1.11',
      );
      // Nothing reads a secret back: the only parameter read is the public
      // ECS AMI id.
      const parameterReads = Object.entries(parsed).flatMap(([file, body]) =>
        Object.keys(body.data?.aws_ssm_parameter ?? {}).map(
          name => `${file} ${name}`,
        ),
      );
      expect(parameterReads).toEqual(['modules/ecs-cluster/main.tf ecs_ami']);
    });

    it('injects exactly the parameters the execution role may read, and no placeholder', () => {
      const rootModule = JSON.stringify(parsed['main.tf']);
      expect(rootModule).not.toContain('APP_SECRET');
      expect(rootModule).not.toContain('app-secret');
      const arns = '${module.parameters.parameter_arns[each.key]}';
      expect(block('main.tf', 'module', 'service').secret_parameter_arns).toBe(
        arns,
      );
      expect(
        block('main.tf', 'module', 'service_roles').secret_parameter_arns,
      ).toBe(arns);
      const container = block(
        'modules/ecs-service/main.tf',
        'resource',
        'aws_ecs_task_definition',
        'this',
      ).container_definitions;
      expect(container).toContain(
        'secrets     = [for key, arn in local.secrets : { name = key, valueFrom = arn }]',
      );
      expect(block('modules/ecs-service/locals.tf', 'locals').secrets).toMatch(
        /^\$\{merge\(var.secret_parameter_arns, var.database == null \? \{\} : \{/,
      );
      const readSecrets = block(
        'modules/service-roles/main.tf',
        'resource',
        'aws_iam_role_policy',
        'read_parameters',
      ).policy;
      expect(readSecrets).toMatch(
        /Action\s*=\s*\["ssm:GetParameters"\]\s*Resource\s*=\s*values\(var.secret_parameter_arns\)/,
      );
      expect(readSecrets).toMatch(
        /Action\s*=\s*\["kms:Decrypt"\]\s*Resource\s*=\s*\[var.kms_key_arn\]/,
      );
    });

    it('the cluster and environment parameters reach every task', () => {
      const parameters = block('main.tf', 'module', 'parameters');
      expect(parameters.plain).toEqual({
        cluster: { variable: 'KLER_CLUSTER', value: '${local.cluster_name}' },
        environment: { variable: 'KLER_ENVIRONMENT', value: '${var.name}' },
      });
      const arns: string = block(
        'modules/parameters/outputs.tf',
        'output',
        'parameter_arns',
      ).value;
      expect(arns).toContain('aws_ssm_parameter.plain[key].arn');
      expect(arns).toContain('aws_ssm_parameter.secret[');
    });

    it('Terraform refuses secret names that are no environment variable or take a reserved one', async () => {
      const withSecrets = (secrets: string[]) =>
        evaluateTerraformLocals(
          ENVIRONMENT_TERRAFORM_DIR,
          environmentVariables({
            services: { storefront: serviceEntry({ secrets }) },
          }),
          ['service_secrets'],
        );
      const accepted = await withSecrets(['APP_SECRET', 'STRIPE_KEY']);
      expect(accepted.stderr).toBe('');
      expect(accepted.locals!.service_secrets).toEqual({
        'storefront/APP_SECRET': '/kler/dev-two/storefront/APP_SECRET',
        'storefront/STRIPE_KEY': '/kler/dev-two/storefront/STRIPE_KEY',
      });
      for (const refused of [
        ['app-secret'],
        ['KLER_CLUSTER'],
        ['DATABASE_URL'],
      ]) {
        const evaluation = await withSecrets(refused);
        expect({ refused, exitCode: evaluation.exitCode }).toEqual({
          refused,
          exitCode: 1,
        });
        expect(evaluation.stderr).toContain("A service's secrets are");
      }
    });
  });

  describe('supply chain', () => {
    it("creates an ECR repository per service: scanned on push, immutable tags, the environment's KMS key, the newest images kept", () => {
      const repository = block(
        'modules/ecr/main.tf',
        'resource',
        'aws_ecr_repository',
        'service',
      );
      expect(repository).toMatchObject({
        for_each: '${var.repositories}',
        name: '${each.value}',
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: [{ scan_on_push: true }],
        encryption_configuration: [
          { encryption_type: 'KMS', kms_key: '${var.kms_key_arn}' },
        ],
      });
      const lifecycle: string = block(
        'modules/ecr/main.tf',
        'resource',
        'aws_ecr_lifecycle_policy',
        'service',
      ).policy;
      expect(lifecycle).toMatch(/countType\s*=\s*"imageCountMoreThan"/);
      expect(lifecycle).toMatch(/countNumber\s*=\s*var.keep_images/);
      expect(block('main.tf', 'module', 'ecr')).toMatchObject({
        repositories:
          '${{ for name in keys(local.services) : name => local.service_names[name].ecr_repository }}',
        kms_key_arn: '${module.kms.key_arn}',
      });
    });

    it("Terraform pins every image: the environment's repository or another, with a tag or a digest", async () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const { stderr, locals } = await evaluateTerraformLocals(
        ENVIRONMENT_TERRAFORM_DIR,
        environmentVariables({
          services: {
            storefront: serviceEntry({ image_tag: '2.3.1' }),
            'shop-api': serviceEntry({
              image_repository:
                '222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/shop-api',
              image_tag: digest,
            }),
            'image-service': serviceEntry({ image_tag: null }),
          },
        }),
        ['services', 'running_services'],
      );
      expect(stderr).toBe('');
      expect(locals!.services.storefront.image).toBe(
        '111111111111.dkr.ecr.eu-west-1.amazonaws.com/kler/dev-two/storefront:2.3.1',
      );
      expect(locals!.services['shop-api'].image).toBe(
        `222222222222.dkr.ecr.eu-west-1.amazonaws.com/kler/shop-api@${digest}`,
      );
      // A service without a tag is prepared, not run: no image, no ECS service.
      expect(locals!.services['image-service'].image).toBeNull();
      expect(Object.keys(locals!.running_services).sort()).toEqual([
        'shop-api',
        'storefront',
      ]);
      expect(block('main.tf', 'module', 'service').for_each).toBe(
        '${local.running_services}',
      );
    });

    it.each([
      [{ image_tag: 'latest' }, "A service's image_tag"],
      [{ image_tag: 'LATEST' }, "A service's image_tag"],
      [{ image_tag: '' }, "A service's image_tag"],
      [{ image_tag: 'sha256:abc' }, "A service's image_tag"],
      [{ image_tag: '1.0 ' }, "A service's image_tag"],
      [
        { image_repository: 'registry.example/shop:1.0', image_tag: '1.0' },
        "A service's image_repository",
      ],
      [
        {
          image_repository: 'registry.example/shop@sha256:1',
          image_tag: '1.0',
        },
        "A service's image_repository",
      ],
      [
        { image_repository: 'shop', image_tag: '1.0' },
        "A service's image_repository",
      ],
    ])('Terraform refuses %j', async (service, message) => {
      const evaluation = await evaluateTerraformLocals(
        ENVIRONMENT_TERRAFORM_DIR,
        environmentVariables({
          services: { storefront: serviceEntry(service) },
        }),
        ['services'],
      );
      expect(evaluation.exitCode).toBe(1);
      expect(evaluation.stderr).toContain(message);
    });

    it('the form asks for a pinned tag and has no invented default image', async () => {
      const { template } = await readTemplate('kler-environment');
      const servicesPage = template.spec.parameters.find(
        (page: any) => page.properties.services,
      );
      const { services } = servicesPage.properties;
      expect(JSON.stringify(services.default)).not.toMatch(/image|latest/);
      const tag = new RegExp(services.items.properties.imageTag.pattern);
      expect(
        ['1.4.2', `sha256:${'0'.repeat(64)}`].every(t => tag.test(t)),
      ).toBe(true);
      expect(['latest', 'Latest', '', '1.0:x'].some(t => tag.test(t))).toBe(
        false,
      );
      const repository = new RegExp(
        services.items.properties.imageRepository.pattern,
      );
      expect(
        repository.test(
          '111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop-api',
        ),
      ).toBe(true);
      expect(repository.test('registry.example/shop:1.0')).toBe(false);
    });
  });

  describe('HTTP only', () => {
    const alb = 'modules/alb/main.tf';

    it('serves HTTPS with a modern TLS policy and the certificate, and redirects HTTP to it', () => {
      const https = block(alb, 'resource', 'aws_lb_listener', 'https');
      expect(https).toMatchObject({
        port: 443,
        protocol: 'HTTPS',
        ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        certificate_arn: '${local.certificate_arn}',
      });
      const http = block(alb, 'resource', 'aws_lb_listener', 'http');
      expect(http.default_action[0]).toEqual({
        type: 'redirect',
        redirect: [{ port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' }],
      });
      // Services are reached over HTTPS only.
      expect(
        block(alb, 'resource', 'aws_lb_listener_rule', 'service').listener_arn,
      ).toBe('${aws_lb_listener.https.arn}');
    });

    it('uses the given certificate, or issues one validated in the Route 53 zone', () => {
      const certificate = block(alb, 'resource', 'aws_acm_certificate', 'this');
      expect(certificate).toMatchObject({
        count: '${var.certificate_arn == null ? 1 : 0}',
        domain_name: '${var.domain_name}',
        validation_method: 'DNS',
      });
      const records = block(
        alb,
        'resource',
        'aws_route53_record',
        'validation',
      );
      expect(records.zone_id).toBe('${var.hosted_zone_id}');
      expect(records.for_each).toContain('domain_validation_options');
      expect(
        block(alb, 'resource', 'aws_acm_certificate_validation', 'this')
          .validation_record_fqdns,
      ).toContain('aws_route53_record.validation');
      expect(block(alb, 'locals').certificate_arn).toBe(
        '${coalesce(var.certificate_arn, one(aws_acm_certificate_validation.this[*].certificate_arn))}',
      );
      const alias = block(alb, 'resource', 'aws_route53_record', 'alias');
      expect(alias.count).toBe('${var.hosted_zone_id == null ? 0 : 1}');
      expect(alias.alias[0].name).toBe('${aws_lb.this.dns_name}');
    });

    it('logs every request to an encrypted, private bucket the ELB of the region may write to, and drops invalid headers', () => {
      const lb = block(alb, 'resource', 'aws_lb', 'this');
      expect(lb).toMatchObject({
        drop_invalid_header_fields: true,
        enable_deletion_protection: '${var.deletion_protection}',
      });
      expect(lb.access_logs[0]).toEqual({
        bucket: '${aws_s3_bucket.access_logs.id}',
        prefix: 'alb',
        enabled: true,
      });
      expect(lb.depends_on).toEqual(['${aws_s3_bucket_policy.access_logs}']);
      expect(
        block(
          alb,
          'resource',
          'aws_s3_bucket_public_access_block',
          'access_logs',
        ),
      ).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      // Load balancer logs support SSE-S3 only.
      expect(
        block(
          alb,
          'resource',
          'aws_s3_bucket_server_side_encryption_configuration',
          'access_logs',
        ).rule[0].apply_server_side_encryption_by_default[0].sse_algorithm,
      ).toBe('AES256');
      const lifecycle = block(
        alb,
        'resource',
        'aws_s3_bucket_lifecycle_configuration',
        'access_logs',
      ).rule[0];
      expect(lifecycle.expiration[0].days).toBe(
        '${var.access_log_retention_days}',
      );
      const policy: string = block(
        alb,
        'resource',
        'aws_s3_bucket_policy',
        'access_logs',
      ).policy;
      expect(policy).toContain('data.aws_elb_service_account.this.arn');
      expect(policy).toContain('"s3:PutObject"');
      expect(policy).toContain('/alb/AWSLogs/${var.account_id}/*');
      expect(policy).toContain('"aws:SecureTransport" = "false"');
      expect(block('main.tf', 'module', 'load_balancer')).toMatchObject({
        deletion_protection: '${local.deletion_protection}',
        access_log_retention_days: '${local.access_log_retention_days}',
      });
    });

    it('Terraform protects and keeps the logs longer in production', async () => {
      const evaluate = (tier: string) =>
        evaluateTerraformLocals(
          ENVIRONMENT_TERRAFORM_DIR,
          environmentVariables({ tier }),
          ['deletion_protection', 'access_log_retention_days', 'force_destroy'],
        );
      expect((await evaluate('production')).locals).toEqual({
        deletion_protection: true,
        access_log_retention_days: 365,
        force_destroy: false,
      });
      expect((await evaluate('development')).locals).toEqual({
        deletion_protection: false,
        access_log_retention_days: 30,
        force_destroy: true,
      });
    });

    it.each([
      [{ hosted_zone_id: null }, 'hosted_zone_id or certificate_arn'],
      [{ domain_name: 'Shop.Example' }, 'domain_name is'],
      [{ domain_name: 'localhost' }, 'domain_name is'],
      [{ hosted_zone_id: 'zone-1' }, 'hosted_zone_id is'],
      [
        { hosted_zone_id: null, certificate_arn: 'arn:aws:iam::1:x' },
        'certificate_arn is',
      ],
    ])('Terraform refuses %j', async (overrides, message) => {
      const evaluation = await evaluateTerraformLocals(
        ENVIRONMENT_TERRAFORM_DIR,
        environmentVariables(overrides),
        ['names'],
      );
      expect(evaluation.exitCode).toBe(1);
      expect(evaluation.stderr).toContain(message);
    });

    it('Terraform takes an existing certificate without a zone', async () => {
      const evaluation = await evaluateTerraformLocals(
        ENVIRONMENT_TERRAFORM_DIR,
        environmentVariables({
          hosted_zone_id: null,
          certificate_arn:
            'arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        }),
        ['names'],
      );
      expect(evaluation.stderr).toBe('');
    });
  });

  describe('nobody hears alarms', () => {
    const alarms = 'modules/alarms/main.tf';

    it("subscribes the given emails and HTTPS endpoint to the alarms topic, encrypted with the environment's key", () => {
      const topic = block(alarms, 'resource', 'aws_sns_topic', 'alarms');
      expect(topic.kms_master_key_id).toBe('${var.kms_key_arn}');
      expect(
        block(alarms, 'resource', 'aws_sns_topic_subscription', 'email'),
      ).toMatchObject({
        for_each: '${toset(var.emails)}',
        topic_arn: '${aws_sns_topic.alarms.arn}',
        protocol: 'email',
        endpoint: '${each.value}',
      });
      expect(
        block(alarms, 'resource', 'aws_sns_topic_subscription', 'https'),
      ).toMatchObject({
        count: '${var.https_endpoint == null ? 0 : 1}',
        protocol: 'https',
        endpoint: '${var.https_endpoint}',
      });
      expect(block('main.tf', 'module', 'alarms')).toMatchObject({
        emails: '${var.alarm_emails}',
        https_endpoint: '${var.alarm_https_endpoint}',
        kms_key_arn: '${module.kms.key_arn}',
      });
      // CloudWatch may use the key to publish to the encrypted topic.
      const keyPolicy: string = block(
        'modules/kms/main.tf',
        'resource',
        'aws_kms_key',
        'this',
      ).policy;
      expect(keyPolicy).toContain(
        'Principal = { Service = "cloudwatch.amazonaws.com" }',
      );
    });

    it.each([
      [{ alarm_emails: [] }, 'at least one alarm subscriber'],
      [{ alarm_emails: ['not an email'] }, 'alarm_emails are'],
      [
        { alarm_https_endpoint: 'http://hooks.kler.example/x' },
        'alarm_https_endpoint is',
      ],
    ])('Terraform refuses %j', async (overrides, message) => {
      const evaluation = await evaluateTerraformLocals(
        ENVIRONMENT_TERRAFORM_DIR,
        environmentVariables(overrides),
        ['names'],
      );
      expect(evaluation.exitCode).toBe(1);
      expect(evaluation.stderr).toContain(message);
    });

    it('Terraform takes an HTTPS endpoint alone', async () => {
      const evaluation = await evaluateTerraformLocals(
        ENVIRONMENT_TERRAFORM_DIR,
        environmentVariables({
          alarm_emails: [],
          alarm_https_endpoint:
            'https://events.pagerduty.com/integration/abc123/enqueue',
        }),
        ['names'],
      );
      expect(evaluation.stderr).toBe('');
    });
  });

  describe('durability', () => {
    const backup = 'modules/backup/main.tf';
    const database = 'modules/database/main.tf';

    it("encrypts the vault with the environment's key and locks it in production", () => {
      expect(
        block(backup, 'resource', 'aws_backup_vault', 'this').kms_key_arn,
      ).toBe('${var.kms_key_arn}');
      expect(
        block(
          backup,
          'resource',
          'aws_backup_vault_lock_configuration',
          'this',
        ),
      ).toMatchObject({
        count: '${var.vault_lock ? 1 : 0}',
        backup_vault_name: '${aws_backup_vault.this.name}',
        changeable_for_days: 3,
      });
      expect(block('main.tf', 'module', 'backup')).toMatchObject({
        kms_key_arn: '${module.kms.key_arn}',
        vault_lock: '${local.backup_vault_lock}',
        copy: '${local.backup_copy}',
        providers: { aws: '${aws}', 'aws.copy': '${aws.backup_copy}' },
      });
    });

    it('copies every recovery point to a vault in a second region, with a key of its own there', () => {
      const provider = parsed['providers.tf'].provider.aws.find(
        (body: any) => body.alias === 'backup_copy',
      );
      expect(provider).toMatchObject({
        region: '${local.backup_copy_region}',
        allowed_account_ids: ['${var.aws_account_id}'],
      });
      const copyKey = block(backup, 'resource', 'aws_kms_key', 'copy');
      expect(copyKey).toMatchObject({
        provider: '${aws.copy}',
        count: '${var.copy ? 1 : 0}',
        enable_key_rotation: true,
      });
      const copyVault = block(backup, 'resource', 'aws_backup_vault', 'copy');
      expect(copyVault).toMatchObject({
        provider: '${aws.copy}',
        kms_key_arn: '${aws_kms_key.copy[0].arn}',
      });
      expect(
        block(backup, 'resource', 'aws_backup_vault_lock_configuration', 'copy')
          .provider,
      ).toBe('${aws.copy}');
      const copyAction = block(backup, 'resource', 'aws_backup_plan', 'this')
        .rule[0].dynamic.copy_action[0];
      expect(copyAction.for_each).toBe('${var.copy ? [1] : []}');
      expect(copyAction.content[0].destination_vault_arn).toBe(
        '${aws_backup_vault.copy[0].arn}',
      );
      expect(JSON.stringify(parsed['modules/backup/versions.tf'])).toContain(
        'aws.copy',
      );
    });

    it('offers an encrypted database whose password AWS manages, Multi-AZ and protected in production', () => {
      const instance = block(database, 'resource', 'aws_db_instance', 'this');
      expect(instance).toMatchObject({
        identifier: '${var.identifier}',
        engine: '${var.engine}',
        instance_class: '${var.instance_class}',
        storage_encrypted: true,
        kms_key_id: '${var.kms_key_arn}',
        manage_master_user_password: true,
        master_user_secret_kms_key_id: '${var.kms_key_arn}',
        multi_az: '${var.production}',
        deletion_protection: '${var.production}',
        publicly_accessible: false,
        copy_tags_to_snapshot: true,
      });
      expect(instance).not.toHaveProperty('password');
      expect(block('main.tf', 'module', 'database')).toMatchObject({
        count: '${var.database.enabled ? 1 : 0}',
        identifier: '${local.names.database}',
        production: '${local.production}',
        kms_key_arn: '${module.kms.key_arn}',
      });
    });

    it('the backup selection covers every stateful resource: EFS and the database carry its tag', () => {
      const selection = block(
        backup,
        'resource',
        'aws_backup_selection',
        'tagged',
      );
      expect(selection.resources).toEqual(['*']);
      expect(selection.condition[0].string_equals).toEqual(
        expect.arrayContaining([
          { key: 'aws:ResourceTag/kler:backup', value: 'true' },
        ]),
      );
      expect(
        block('modules/efs/main.tf', 'resource', 'aws_efs_file_system', 'this')
          .tags,
      ).toContain('"kler:backup" = "true"');
      expect(
        block(database, 'resource', 'aws_db_instance', 'this').tags,
      ).toContain('"kler:backup" = "true"');
      // No other stateful resource type in the environment.
      const stateful = Object.values(parsed).flatMap(body =>
        Object.keys(body.resource ?? {}).filter(type =>
          /^aws_(efs_file_system|db_instance|rds_cluster|dynamodb_table|ebs_volume|fsx_[a-z_]+)$/.test(
            type,
          ),
        ),
      );
      expect(stateful.sort()).toEqual([
        'aws_db_instance',
        'aws_efs_file_system',
      ]);
    });

    it('connects the services that ask for the database, with its secret from Secrets Manager', () => {
      const policy: string = block(
        'modules/service-roles/main.tf',
        'resource',
        'aws_iam_role_policy',
        'read_database_secret',
      ).policy;
      expect(policy).toMatch(
        /Action\s*=\s*\["secretsmanager:GetSecretValue"\]\s*Resource\s*=\s*\[var.database_secret_arn\]/,
      );
      const service = block('modules/ecs-service/locals.tf', 'locals');
      expect(service.secrets).toContain(
        '"${var.database.secret_arn}:password::"',
      );
      expect(service.secrets).toContain(
        '"${var.database.secret_arn}:username::"',
      );
    });

    it("Terraform decides the tier's durability offline", async () => {
      const evaluate = (tier: string, region = 'eu-west-1') =>
        evaluateTerraformLocals(
          ENVIRONMENT_TERRAFORM_DIR,
          environmentVariables({ tier, aws_region: region }),
          ['backup_vault_lock', 'backup_copy', 'backup_copy_region'],
        );
      expect((await evaluate('production')).locals).toEqual({
        backup_vault_lock: true,
        backup_copy: true,
        backup_copy_region: 'eu-central-1',
      });
      expect(
        (await evaluate('production', 'eu-central-1')).locals,
      ).toMatchObject({
        backup_copy_region: 'eu-west-1',
      });
      expect((await evaluate('development')).locals).toMatchObject({
        backup_vault_lock: false,
        backup_copy: false,
      });
    });

    it.each([
      [
        { database: { enabled: true, engine: 'oracle-ee' } },
        'database.engine is',
      ],
      [
        { database: { enabled: true, instance_class: 'db.x2iedn.32xlarge' } },
        'database.instance_class is',
      ],
      [
        { database: { enabled: true, allocated_storage: 5 } },
        'database.allocated_storage is',
      ],
      [
        { services: { storefront: serviceEntry({ database: true }) } },
        'needs the database',
      ],
    ])('Terraform refuses %j', async (overrides, message) => {
      const evaluation = await evaluateTerraformLocals(
        ENVIRONMENT_TERRAFORM_DIR,
        environmentVariables(overrides),
        ['names'],
      );
      expect(evaluation.exitCode).toBe(1);
      expect(evaluation.stderr).toContain(message);
    });
  });

  describe('EFS mounts are refused', () => {
    it('the file system policy allows each task role to mount and write through its access point, and still refuses non-TLS', () => {
      const policy: string = block(
        'modules/efs/main.tf',
        'resource',
        'aws_efs_file_system_policy',
        'this',
      ).policy;
      expect(policy).toContain(
        'Statement = concat([local.deny_insecure_transport], local.allow_services_through_access_points)',
      );
      const statements = block('modules/efs/main.tf', 'locals');
      expect(statements.deny_insecure_transport).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
      const allow: string = statements.allow_services_through_access_points;
      expect(allow).toMatch(
        /^\$\{\[\s*for service, access_point in var.access_points :/,
      );
      expect(allow).toMatch(/Effect\s*=\s*"Allow"/);
      expect(allow).toMatch(
        /Action\s*=\s*\["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"\]/,
      );
      // Only a task role, and only through its own access point.
      expect(allow).toMatch(
        /Principal\s*=\s*\{ AWS = access_point.task_role_arn \}/,
      );
      expect(allow).toContain(
        '"elasticfilesystem:AccessPointArn" = aws_efs_access_point.service[service].arn',
      );
      expect(allow).not.toContain('ClientRootAccess');
    });

    it('creates an access point per service with a fixed POSIX user', () => {
      const accessPoint = block(
        'modules/efs/main.tf',
        'resource',
        'aws_efs_access_point',
        'service',
      );
      expect(accessPoint.for_each).toBe('${var.access_points}');
      expect(accessPoint.posix_user[0]).toMatchObject({ uid: 1000, gid: 1000 });
      expect(accessPoint.root_directory[0].creation_info[0]).toMatchObject({
        owner_uid: 1000,
        owner_gid: 1000,
      });
      const efs = block('main.tf', 'module', 'efs');
      expect(efs.access_points).toContain('module.service_roles');
      expect(efs.access_points).toContain('task_role_arn');
    });

    it('mounts through the access point with IAM authorization and TLS, once the policy and mount targets are there', () => {
      const volume = block(
        'modules/ecs-service/main.tf',
        'resource',
        'aws_ecs_task_definition',
        'this',
      ).dynamic.volume[0].content[0].efs_volume_configuration[0];
      expect(volume.transit_encryption).toBe('ENABLED');
      expect(volume.authorization_config[0]).toEqual({
        access_point_id: '${volume.value.access_point_id}',
        iam: 'ENABLED',
      });
      expect(volume).not.toHaveProperty('root_directory');
      const accessPointIds = block(
        'modules/efs/outputs.tf',
        'output',
        'access_point_ids',
      );
      expect(accessPointIds.depends_on).toEqual(
        expect.arrayContaining([
          '${aws_efs_file_system_policy.this}',
          '${aws_efs_mount_target.this}',
        ]),
      );
      expect(block('main.tf', 'module', 'service').efs).toContain(
        'module.efs[0].access_point_ids[each.key]',
      );
    });
  });
});
