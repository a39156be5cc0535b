export { ParityTable } from './ParityTable';
