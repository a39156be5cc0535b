import {
  AreaReadError,
  EnvironmentArea,
} from '@kler/plugin-environments-common';

/**
 * Collects the failures of the optional parts of a read: each part fails alone,
 * and the snapshot says which areas are incomplete.
 */
export class ReadErrorCollector {
  private readonly errorsByArea = new Map<EnvironmentArea, AreaReadError[]>();

  /** Notes the failure of a part that the read worked around. */
  record(area: EnvironmentArea, part: string, error: unknown) {
    const list = this.errorsByArea.get(area) ?? [];
    list.push({
      area,
      name: errorName(error),
      message: `${part}: ${errorMessage(error)}`,
    });
    this.errorsByArea.set(area, list);
  }

  /** The part's result, or undefined (and its failure noted) when it fails. */
  async capture<T>(
    area: EnvironmentArea,
    part: string,
    read: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      this.record(area, part, error);
      return undefined;
    }
  }

  /** One entry per area; several failed parts of one area are joined. */
  toReadErrors(): AreaReadError[] {
    return [...this.errorsByArea.entries()].map(([area, errors]) => ({
      area,
      name: errors[0].name,
      message: errors.map(e => e.message).join('; '),
    }));
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
