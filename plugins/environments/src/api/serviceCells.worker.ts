// Parses an environment's details off the main thread: at 1,000 services the
// JSON is about 8 MB, and JSON.parse of it would hold the page for a few
// hundred milliseconds. Only the matrix cells travel back.
import { serviceCellsOfJson } from './serviceCells';

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = event => {
  const { id, buffer } = event.data as { id: number; buffer: ArrayBuffer };
  try {
    scope.postMessage({ id, result: serviceCellsOfJson(buffer) });
  } catch (error) {
    scope.postMessage({ id, error: String(error) });
  }
};
