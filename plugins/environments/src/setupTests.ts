import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The build machine's 2 cores are shared; give async queries room under load.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(30_000);
