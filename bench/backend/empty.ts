// A Backstage backend with no plugin: what any backend costs in memory here,
// the floor under the environments backend's figures (bench/run.mjs).
import { createBackend } from '@backstage/backend-defaults';

createBackend().start();
