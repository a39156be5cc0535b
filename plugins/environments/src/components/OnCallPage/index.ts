export { OnCallDashboard, OnCallPage } from './OnCallPage';
