import { reviewWith } from './__testUtils__/configurations';
import {
  albAccessLogsDisabled,
  albDeletionProtection,
  httpNotRedirected,
  httpsListenerMissing,
  httpsListenerTls,
  securityGroupHttpsWithoutListener,
} from './httpsRules';

const balancer = (extra = '') => `
resource "aws_lb" "this" {
  name            = "kler"
  subnets         = var.subnet_ids
  ${extra}
}
`;

/** Today's template: HTTP only, with the services' rules on it. */
const httpOnly = `
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener_rule" "service" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 10
  action {
    type             = "forward"
    target_group_arn = "arn"
  }
}
`;

const https = (settings: string) => `
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ${settings}

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}
`;

const modernTls = `certificate_arn = var.certificate_arn
  ssl_policy      = "ELBSecurityPolicy-TLS13-1-2-2021-06"`;

describe('http-not-redirected', () => {
  it('reports an HTTP listener that serves, with the rules routing over it', async () => {
    const problems = await reviewWith(httpNotRedirected, {
      'main.tf': balancer() + httpOnly,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        rule: 'http-not-redirected',
        severity: 'error',
        line: 8,
        resource: 'aws_lb_listener.http',
        message:
          'aws_lb_listener.http serves plain HTTP on port 80 without redirecting to HTTPS; aws_lb_listener_rule.service routes requests over it',
        fix: expect.stringContaining('type = "redirect"'),
      }),
    ]);
  });

  it('passes a listener that redirects to HTTPS', async () => {
    expect(
      await reviewWith(httpNotRedirected, {
        'main.tf': balancer() + https(modernTls),
      }),
    ).toEqual([]);
  });

  it('takes a listener without protocol as HTTP, and says nothing when the protocol is unknown', async () => {
    const listener = (protocol: string) => `
resource "aws_lb_listener" "l" {
  load_balancer_arn = "arn"
  port              = 8080
  ${protocol}
  default_action {
    type = "forward"
  }
}
`;
    expect(
      await reviewWith(httpNotRedirected, { 'main.tf': listener('') }),
    ).toHaveLength(1);
    expect(
      await reviewWith(httpNotRedirected, {
        'main.tf': listener('protocol = var.protocol'),
      }),
    ).toEqual([]);
  });
});

describe('https-listener-missing', () => {
  it('reports a load balancer without an HTTPS listener', async () => {
    expect(
      await reviewWith(httpsListenerMissing, {
        'main.tf': balancer() + httpOnly,
      }),
    ).toEqual([
      expect.objectContaining({
        rule: 'https-listener-missing',
        severity: 'error',
        line: 2,
        resource: 'aws_lb.this',
        message: expect.stringContaining('has no HTTPS listener (only "HTTP")'),
        fix: expect.stringContaining(
          'ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"',
        ),
      }),
    ]);
    expect(
      await reviewWith(httpsListenerMissing, { 'main.tf': balancer() }),
    ).toHaveLength(1);
  });

  it('finds the HTTPS listener in another module through its load_balancer_arn', async () => {
    expect(
      await reviewWith(httpsListenerMissing, {
        'main.tf': `${balancer()}
module "listeners" {
  source            = "./modules/listeners"
  load_balancer_arn = aws_lb.this.arn
}
`,
        'modules/listeners/main.tf': `
variable "load_balancer_arn" {
  type = string
}
resource "aws_lb_listener" "https" {
  load_balancer_arn = var.load_balancer_arn
  port              = 443
  protocol          = "HTTPS"
}
`,
      }),
    ).toEqual([]);
  });

  it('does not review network load balancers', async () => {
    expect(
      await reviewWith(httpsListenerMissing, {
        'main.tf': balancer('load_balancer_type = "network"'),
      }),
    ).toEqual([]);
  });
});

describe('https-listener-tls', () => {
  it('passes a certificate and a TLS 1.2+ policy', async () => {
    expect(
      await reviewWith(httpsListenerTls, {
        'main.tf': balancer() + https(modernTls),
      }),
    ).toEqual([]);
  });

  it('reports a missing certificate and a missing or old policy', async () => {
    expect(
      await reviewWith(httpsListenerTls, { 'main.tf': https('') }),
    ).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: 'aws_lb_listener.https is HTTPS without a certificate_arn',
      }),
      expect.objectContaining({
        severity: 'error',
        message: expect.stringContaining('sets no ssl_policy'),
      }),
    ]);
    expect(
      await reviewWith(httpsListenerTls, {
        'main.tf': https(
          'certificate_arn = "arn"\n  ssl_policy = "ELBSecurityPolicy-2016-08"',
        ),
      }),
    ).toEqual([
      expect.objectContaining({
        severity: 'error',
        message:
          'aws_lb_listener.https has ssl_policy "ELBSecurityPolicy-2016-08", which allows TLS before 1.2',
      }),
    ]);
  });

  it('warns about a policy it cannot work out', async () => {
    expect(
      await reviewWith(httpsListenerTls, {
        'main.tf': https('certificate_arn = "arn"\n  ssl_policy = var.policy'),
      }),
    ).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringContaining('has ssl_policy var.policy'),
      }),
    ]);
  });
});

const albSecurityGroup = `
resource "aws_security_group" "alb" {
  name = "alb"
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port = 0
    to_port   = 0
    protocol  = "-1"
  }
}
`;

describe('security-group-https-without-listener', () => {
  it('reports 443 opened with no listener on 443', async () => {
    expect(
      await reviewWith(securityGroupHttpsWithoutListener, {
        'main.tf': balancer() + httpOnly + albSecurityGroup,
      }),
    ).toEqual([
      expect.objectContaining({
        severity: 'warning',
        resource: 'aws_security_group.alb',
        message:
          'aws_security_group.alb opens port 443, but no load balancer listener listens on 443',
      }),
    ]);
    expect(
      await reviewWith(securityGroupHttpsWithoutListener, {
        'main.tf': `
resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = "sg-1"
  from_port         = 400
  to_port           = 500
  ip_protocol       = "tcp"
}
resource "aws_security_group_rule" "egress" {
  type      = "egress"
  from_port = 443
  to_port   = 443
  protocol  = "tcp"
}
`,
      }),
    ).toEqual([
      expect.objectContaining({
        resource: 'aws_vpc_security_group_ingress_rule.https',
      }),
    ]);
  });

  it('passes when a listener listens on 443', async () => {
    expect(
      await reviewWith(securityGroupHttpsWithoutListener, {
        'main.tf': balancer() + https(modernTls) + albSecurityGroup,
      }),
    ).toEqual([]);
  });
});

describe('alb-access-logs-disabled', () => {
  it('reports a load balancer without enabled access logs', async () => {
    for (const logs of [
      '',
      'access_logs {\n    bucket = "logs"\n  }',
      'access_logs {\n    bucket  = "logs"\n    enabled = false\n  }',
    ]) {
      expect(
        await reviewWith(albAccessLogsDisabled, { 'main.tf': balancer(logs) }),
      ).toEqual([
        expect.objectContaining({
          severity: 'warning',
          resource: 'aws_lb.this',
        }),
      ]);
    }
  });

  it('passes enabled access logs', async () => {
    expect(
      await reviewWith(albAccessLogsDisabled, {
        'main.tf': balancer(
          'access_logs {\n    bucket  = "logs"\n    enabled = true\n  }',
        ),
      }),
    ).toEqual([]);
  });
});

describe('alb-deletion-protection', () => {
  const tiered = (protection: string) => ({
    'variables.tf': `
variable "tier" {
  type = string
}
locals {
  production = var.tier == "production"
}
`,
    'main.tf': balancer(protection),
  });

  it('passes protection tied to the tier, or always on', async () => {
    for (const protection of [
      'enable_deletion_protection = local.production',
      'enable_deletion_protection = var.tier == "production"',
      'enable_deletion_protection = true',
    ]) {
      expect(
        await reviewWith(albDeletionProtection, tiered(protection)),
      ).toEqual([]);
    }
  });

  it('reports protection off in production', async () => {
    for (const protection of ['', 'enable_deletion_protection = false']) {
      expect(
        await reviewWith(albDeletionProtection, tiered(protection), {
          tier: 'production',
        }),
      ).toEqual([
        expect.objectContaining({
          severity: 'error',
          message: expect.stringContaining(
            'has no deletion protection in this production environment',
          ),
        }),
      ]);
    }
  });

  it('reviews as production when the tier is not known, and not at all in development', async () => {
    expect(await reviewWith(albDeletionProtection, tiered(''))).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('no tier in terraform.tfvars.json'),
      }),
    ]);
    expect(
      await reviewWith(albDeletionProtection, tiered(''), {
        tier: 'development',
      }),
    ).toEqual([]);
  });

  it('warns about an expression it cannot follow to the tier', async () => {
    expect(
      await reviewWith(
        albDeletionProtection,
        tiered('enable_deletion_protection = var.protect'),
      ),
    ).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringContaining(
          'enable_deletion_protection = var.protect, which the review cannot follow to the tier',
        ),
      }),
    ]);
  });
});
