import { EnvironmentServiceCells } from './serviceCells';

type Pending = {
  resolve: (cells: EnvironmentServiceCells) => void;
  reject: (error: Error) => void;
};

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(error: Error) {
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
}

function getWorker(): Worker {
  if (!worker) {
    // The bundler emits the worker as its own chunk of the app (same origin,
    // so the app's script-src 'self' allows it).
    worker = new Worker(new URL('./serviceCells.worker.ts', import.meta.url));
    worker.onmessage = event => {
      const { id, result, error } = event.data;
      const request = pending.get(id);
      pending.delete(id);
      if (error) request?.reject(new Error(error));
      else request?.resolve(result);
    };
    worker.onerror = event => {
      event.preventDefault();
      worker?.terminate();
      worker = undefined;
      failAll(new Error(`service cells worker failed: ${event.message}`));
    };
  }
  return worker;
}

/** Parses an environment's details in a shared web worker. */
export function parseInWorker(
  buffer: ArrayBuffer,
): Promise<EnvironmentServiceCells> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    // Copied, not transferred: the caller keeps the bytes to parse itself if
    // the worker cannot start (a stricter content security policy).
    getWorker().postMessage({ id, buffer });
  });
}
