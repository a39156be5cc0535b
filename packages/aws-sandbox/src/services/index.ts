import type { ServiceDefinition } from '../protocols/types';
import { ecs } from './ecs';
import { sts } from './sts';

/** Every AWS service the sandbox speaks. */
export const SERVICES: ServiceDefinition[] = [ecs, sts];
