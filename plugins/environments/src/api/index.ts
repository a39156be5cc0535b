export { environmentsApiRef } from './EnvironmentsApi';
export type { EnvironmentsApi, ProblemQuery } from './EnvironmentsApi';
export { EnvironmentsClient } from './EnvironmentsClient';
export type { EnvironmentServiceCells } from './serviceCells';
