export {
  EntityEnvironmentContent,
  EnvironmentDetails,
} from './EntityEnvironmentContent';
