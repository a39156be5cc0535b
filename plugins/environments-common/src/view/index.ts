export * from './serviceMatrix';
export * from './fixText';
export * from './parity';
