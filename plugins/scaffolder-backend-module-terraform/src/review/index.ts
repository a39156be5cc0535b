export {
  readTerraformConfiguration,
  reviewConfiguration,
  reviewRules,
} from './reviewConfiguration';
export type { ReviewProblem, ReviewRule } from './reviewRule';
