// pg ships no type declarations and @types/pg is not among the repository's
// dependencies: these are the parts of its API the startup lock uses.
declare module 'pg' {
  export interface ClientConfig {
    connectionString?: string;
    host?: string;
    port?: number;
    user?: string;
    password?: string;
    database?: string;
    ssl?: unknown;
  }

  export class Client {
    constructor(config?: ClientConfig);
    connect(): Promise<void>;
    query<R = Record<string, unknown>>(
      text: string,
      values?: unknown[],
    ): Promise<{ rows: R[] }>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }
}
