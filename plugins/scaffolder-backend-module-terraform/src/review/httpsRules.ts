import {
  TerraformConfiguration,
  TerraformResource,
  addressOf,
  blocksOf,
} from './configuration';
import { ConfigurationEvaluator } from './evaluation';
import { refersTo } from './references';
import { UnknownValue, Value } from './values';
import {
  ReviewFinding,
  ReviewRule,
  about,
  attributeOf,
  createdResources,
  describeValue,
  isTrue,
  listOf,
  productionEvaluator,
  productionWording,
} from './reviewRule';

const LOAD_BALANCERS = ['aws_lb', 'aws_alb'];
const LISTENERS = ['aws_lb_listener', 'aws_alb_listener'];
const LISTENER_RULES = ['aws_lb_listener_rule', 'aws_alb_listener_rule'];

/**
 * TLS 1.2 and later: the TLS13 policies, TLS-1-2 and the forward-secrecy
 * FS-1-2 ones (ELBSecurityPolicy-TLS13-1-2-2021-06 is AWS's recommendation).
 */
const MODERN_SSL_POLICY =
  /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2|FIPS-TLS13-1-[23])-/;

const RECOMMENDED_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** An Application Load Balancer: `load_balancer_type` is application or not set. */
function isApplication(
  evaluator: ConfigurationEvaluator,
  balancer: TerraformResource,
) {
  const type = attributeOf(evaluator, balancer, 'load_balancer_type');
  return type === undefined || type === 'application';
}

function listenersOf(
  evaluator: ConfigurationEvaluator,
  balancer: TerraformResource,
) {
  return createdResources(evaluator, ...LISTENERS).filter(listener =>
    refersTo(
      evaluator.configuration,
      listener.module,
      listener.attributes.load_balancer_arn,
      balancer,
    ),
  );
}

/** HTTPS, HTTP, or the expression when the protocol cannot be worked out. */
function protocolOf(
  evaluator: ConfigurationEvaluator,
  listener: TerraformResource,
): Value | undefined {
  const protocol = attributeOf(evaluator, listener, 'protocol');
  return typeof protocol === 'string' ? protocol.toUpperCase() : protocol;
}

function portOf(
  evaluator: ConfigurationEvaluator,
  listener: TerraformResource,
) {
  const port = attributeOf(evaluator, listener, 'port');
  return typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
}

/** Whether a listener's default action redirects to HTTPS. */
function redirectsToHttps(
  evaluator: ConfigurationEvaluator,
  listener: TerraformResource,
): boolean | undefined {
  const actions = blocksOf(listener.attributes, 'default_action');
  let unknown = false;
  for (const action of actions) {
    const type = evaluator.evaluate(listener.module, action.type);
    const protocols = blocksOf(action, 'redirect').map(redirect =>
      evaluator.evaluate(listener.module, redirect.protocol),
    );
    if (type === 'redirect' && protocols.includes('HTTPS')) return true;
    if (
      type instanceof UnknownValue ||
      protocols.some(protocol => protocol instanceof UnknownValue)
    ) {
      unknown = true;
    }
  }
  return unknown ? undefined : false;
}

/**
 * `http-not-redirected`: a load balancer listener serving plain HTTP
 * (protocol HTTP, the default) whose default action does not redirect to
 * HTTPS, with the listener rules that route requests over it.
 *
 * Sees literal ports, protocols and action types, and those it can work out
 * from variables and locals; reports nothing for one it cannot.
 */
export const httpNotRedirected: ReviewRule = {
  id: 'http-not-redirected',
  checks:
    'A plain HTTP listener (port 80) only redirects to HTTPS; no listener rule routes requests over it',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    const findings: ReviewFinding[] = [];
    for (const listener of createdResources(evaluator, ...LISTENERS)) {
      // An Application Load Balancer's listener is HTTP unless it says otherwise.
      const protocol = protocolOf(evaluator, listener) ?? 'HTTP';
      const port = portOf(evaluator, listener);
      if (protocol !== 'HTTP') continue;
      if (redirectsToHttps(evaluator, listener) !== false) continue;
      const rules = createdResources(evaluator, ...LISTENER_RULES).filter(
        rule =>
          refersTo(
            evaluator.configuration,
            rule.module,
            rule.attributes.listener_arn,
            listener,
          ),
      );
      const forwarding =
        rules.length > 0
          ? `; ${listOf(rules.map(addressOf))} ${
              rules.length === 1 ? 'routes' : 'route'
            } requests over it`
          : '';
      findings.push({
        severity: 'error',
        ...about(listener),
        message: `${addressOf(
          listener,
        )} serves plain HTTP on port ${describeValue(
          port,
        )} without redirecting to HTTPS${forwarding}`,
        fix: `Make its default_action { type = "redirect" redirect { port = "443" protocol = "HTTPS" status_code = "HTTP_301" } }${
          rules.length > 0
            ? ' and attach the listener rules to the HTTPS listener'
            : ''
        }`,
      });
    }
    return findings;
  },
};

/**
 * `https-listener-missing`: an Application Load Balancer with no listener
 * whose protocol is HTTPS (listeners are matched to it by their
 * `load_balancer_arn`, through variables and module outputs).
 *
 * Reports nothing when a listener's protocol is an expression it cannot
 * work out.
 */
export const httpsListenerMissing: ReviewRule = {
  id: 'https-listener-missing',
  checks: 'Every Application Load Balancer has an HTTPS listener',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    return createdResources(evaluator, ...LOAD_BALANCERS)
      .filter(balancer => isApplication(evaluator, balancer))
      .flatMap(balancer => {
        const protocols = listenersOf(evaluator, balancer).map(listener =>
          protocolOf(evaluator, listener),
        );
        if (
          protocols.some(
            protocol =>
              protocol === 'HTTPS' || protocol instanceof UnknownValue,
          )
        ) {
          return [];
        }
        return [
          {
            severity: 'error' as const,
            ...about(balancer),
            message: `${addressOf(balancer)} has no HTTPS listener${
              protocols.length > 0
                ? ` (only ${listOf(protocols.map(describeValue))})`
                : ''
            }: clients reach the services unencrypted`,
            fix: `Add an aws_lb_listener with load_balancer_arn = ${addressOf(
              balancer,
            )}.arn, port = 443, protocol = "HTTPS", certificate_arn = <an ACM certificate's ARN> and ssl_policy = "${RECOMMENDED_SSL_POLICY}", and redirect port 80 to it`,
          },
        ];
      });
  },
};

/**
 * `https-listener-tls`: an HTTPS listener without `certificate_arn`, or
 * whose `ssl_policy` is not set (the API's default then applies) or allows
 * TLS before 1.2. A policy that is an expression it cannot work out is a
 * warning.
 */
export const httpsListenerTls: ReviewRule = {
  id: 'https-listener-tls',
  checks:
    'HTTPS listeners have a certificate_arn and a TLS 1.2+ ssl_policy (e.g. ELBSecurityPolicy-TLS13-1-2-2021-06)',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    const findings: ReviewFinding[] = [];
    for (const listener of createdResources(evaluator, ...LISTENERS)) {
      if (protocolOf(evaluator, listener) !== 'HTTPS') continue;
      const address = addressOf(listener);
      const certificate = attributeOf(evaluator, listener, 'certificate_arn');
      if (certificate === undefined || certificate === null) {
        findings.push({
          severity: 'error',
          ...about(listener),
          message: `${address} is HTTPS without a certificate_arn`,
          fix: "Set certificate_arn to an ACM certificate of the environment's domain (aws_acm_certificate validated by DNS)",
        });
      }
      const policy = attributeOf(evaluator, listener, 'ssl_policy');
      if (typeof policy === 'string' && MODERN_SSL_POLICY.test(policy)) {
        continue;
      }
      const unknown = policy instanceof UnknownValue;
      let message = `${address} has ssl_policy ${describeValue(
        policy,
      )}, which allows TLS before 1.2`;
      if (policy === undefined) {
        message = `${address} sets no ssl_policy: the load balancer's default applies, which the configuration does not hold to TLS 1.2+`;
      } else if (unknown) {
        message = `${address} has ssl_policy ${policy.expression}, which the review cannot see allows only TLS 1.2 and later`;
      }
      findings.push({
        severity: unknown ? 'warning' : 'error',
        ...about(listener),
        message,
        fix: `Set ssl_policy = "${RECOMMENDED_SSL_POLICY}"`,
      });
    }
    return findings;
  },
};

/** Inclusive port ranges a security group opens to incoming traffic, as literals. */
function ingressRanges(
  evaluator: ConfigurationEvaluator,
  group: TerraformResource,
): Array<[Value | undefined, Value | undefined]> {
  const range = (module: string, body: Record<string, unknown>) =>
    [
      evaluator.evaluate(module, body.from_port),
      evaluator.evaluate(module, body.to_port),
    ] as [Value, Value];
  switch (group.type) {
    case 'aws_security_group':
      return blocksOf(group.attributes, 'ingress').map(ingress =>
        range(group.module, ingress),
      );
    case 'aws_security_group_rule':
      return attributeOf(evaluator, group, 'type') === 'ingress'
        ? [range(group.module, group.attributes)]
        : [];
    default:
      return [range(group.module, group.attributes)];
  }
}

/**
 * `security-group-https-without-listener`: a security group (or rule)
 * opening port 443 while no load balancer listener of the configuration
 * listens on 443: an open port nothing answers, usually a sign the HTTPS
 * listener was forgotten.
 *
 * Sees `ingress` blocks, `aws_security_group_rule` and
 * `aws_vpc_security_group_ingress_rule`, with literal ports or ports it can
 * work out. A listener whose port it cannot work out counts as on 443.
 */
export const securityGroupHttpsWithoutListener: ReviewRule = {
  id: 'security-group-https-without-listener',
  checks: 'A security group opens 443 only when a listener listens on 443',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    const listens443 = createdResources(evaluator, ...LISTENERS).some(
      listener => {
        const port = portOf(evaluator, listener);
        return (
          port === 443 ||
          port instanceof UnknownValue ||
          (port === undefined && protocolOf(evaluator, listener) === 'HTTPS')
        );
      },
    );
    if (listens443) return [];
    return createdResources(
      evaluator,
      'aws_security_group',
      'aws_security_group_rule',
      'aws_vpc_security_group_ingress_rule',
    )
      .filter(group =>
        ingressRanges(evaluator, group).some(
          ([from, to]) =>
            typeof from === 'number' &&
            typeof to === 'number' &&
            from <= 443 &&
            to >= 443,
        ),
      )
      .map(group => ({
        severity: 'warning' as const,
        ...about(group),
        message: `${addressOf(
          group,
        )} opens port 443, but no load balancer listener listens on 443`,
        fix: 'Add the HTTPS listener on port 443 (see https-listener-missing), or remove the opening',
      }));
  },
};

/**
 * `alb-access-logs-disabled`: an Application Load Balancer without an
 * `access_logs` block whose `enabled` is true (the provider's default is
 * false, even with a bucket). An `enabled` it cannot work out passes.
 */
export const albAccessLogsDisabled: ReviewRule = {
  id: 'alb-access-logs-disabled',
  checks:
    'Application Load Balancers write access logs (access_logs { enabled = true })',
  review(configuration) {
    const evaluator = new ConfigurationEvaluator(configuration);
    return createdResources(evaluator, ...LOAD_BALANCERS)
      .filter(balancer => isApplication(evaluator, balancer))
      .filter(
        balancer =>
          !blocksOf(balancer.attributes, 'access_logs').some(logs => {
            const enabled = evaluator.evaluate(balancer.module, logs.enabled);
            return isTrue(enabled) || enabled instanceof UnknownValue;
          }),
      )
      .map(balancer => ({
        severity: 'warning' as const,
        ...about(balancer),
        message: `${addressOf(
          balancer,
        )} writes no access logs: requests cannot be traced after the fact`,
        fix: 'Add access_logs { bucket = <an S3 bucket whose policy lets the regional ELB account write> enabled = true }',
      }));
  },
};

/**
 * `alb-deletion-protection`: in production (the values file's tier, or
 * unknown), a load balancer whose `enable_deletion_protection` is not true.
 * The review evaluates the expression with `var.tier` set to production, so
 * `local.production` or `var.tier == "production"` passes; an expression it
 * cannot follow to the tier is a warning.
 */
export const albDeletionProtection: ReviewRule = {
  id: 'alb-deletion-protection',
  checks:
    'In production, load balancers have enable_deletion_protection = true (tied to the tier)',
  review(configuration: TerraformConfiguration) {
    const evaluator = productionEvaluator(configuration);
    if (!evaluator) return [];
    const where = productionWording(configuration);
    return createdResources(evaluator, ...LOAD_BALANCERS).flatMap(balancer => {
      const value = attributeOf(
        evaluator,
        balancer,
        'enable_deletion_protection',
      );
      if (isTrue(value)) return [];
      const unknown = value instanceof UnknownValue;
      return [
        {
          severity: unknown ? ('warning' as const) : ('error' as const),
          ...about(balancer),
          message: unknown
            ? `${addressOf(
                balancer,
              )} has enable_deletion_protection = ${describeValue(
                value,
              )}, which the review cannot follow to the tier: it may be off ${where}`
            : `${addressOf(
                balancer,
              )} has no deletion protection ${where} (enable_deletion_protection ${describeValue(
                value,
              )})`,
          fix: 'Set enable_deletion_protection = var.tier == "production" (or a local derived from it)',
        },
      ];
    });
  },
};

export const httpsRules: ReviewRule[] = [
  httpNotRedirected,
  httpsListenerMissing,
  httpsListenerTls,
  securityGroupHttpsWithoutListener,
  albAccessLogsDisabled,
  albDeletionProtection,
];
