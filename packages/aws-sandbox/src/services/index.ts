import type { ServiceDefinition } from '../protocols/types';
import { applicationAutoScaling } from './applicationAutoScaling';
import { autoScaling } from './autoScaling';
import { backup } from './backup';
import { cloudWatch } from './cloudWatch';
import { ecr } from './ecr';
import { ecs } from './ecs';
import { efs } from './efs';
import { elbv2 } from './elbv2';
import { secretsManager } from './secretsManager';
import { ssm } from './ssm';
import { sts } from './sts';
import { tagging } from './tagging';
import { wellArchitected } from './wellArchitected';

/** Every AWS service the sandbox speaks. */
export const SERVICES: ServiceDefinition[] = [
  ecs,
  applicationAutoScaling,
  autoScaling,
  cloudWatch,
  elbv2,
  backup,
  wellArchitected,
  ssm,
  secretsManager,
  ecr,
  efs,
  tagging,
  sts,
];
