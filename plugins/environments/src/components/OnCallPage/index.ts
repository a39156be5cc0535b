export { OnCallDashboard, OnCallPage } from './OnCallPage';
export { EnvironmentSummaryCard } from './EnvironmentSummaryCard';
