export { EntityEnvironmentsOverviewCard } from './EntityEnvironmentsOverviewCard';
