export * from './serviceMatrix';
export * from './fixText';
