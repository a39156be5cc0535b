import type { ServiceDefinition } from '../protocols/types';
import { applicationAutoScaling } from './applicationAutoScaling';
import { autoScaling } from './autoScaling';
import { backup } from './backup';
import { cloudWatch } from './cloudWatch';
import { ecs } from './ecs';
import { elbv2 } from './elbv2';
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
  tagging,
  sts,
];
