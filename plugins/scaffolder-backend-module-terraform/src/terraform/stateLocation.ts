import { JsonObject, JsonValue } from '@backstage/types';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a configuration keeps its state: the backend `terraform init`
 * configured, with every setting as it resolved them (the backend block and
 * `-backend-config` together), read from the data directory.
 */
export interface StateLocation {
  type: string;
  config: JsonObject;
}

/**
 * Settings that may carry credentials, by how their names end: never
 * recorded. The AWS credentials of a run come from its environment, as the
 * session gives them. Settings about credentials that hold none stay
 * (`skip_credentials_validation`, `shared_credentials_files`): without them
 * the backend would not be configured as the apply had it.
 */
const SECRET_SETTING =
  /(^|_)(secret|secret_key|token|password|credentials|access_key|sse_customer_key|encryption_key|client_certificate|private_key)$/i;

/** The local backend's settings that name files relative to the working directory. */
const LOCAL_PATHS = ['path', 'workspace_dir'];

function withoutNulls(value: JsonValue): JsonValue | undefined {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map(v => withoutNulls(v) ?? null);
  if (typeof value !== 'object') return value;
  const object: JsonObject = {};
  for (const [key, entry] of Object.entries(value)) {
    if (SECRET_SETTING.test(key)) continue;
    const cleaned = withoutNulls(entry as JsonValue);
    if (cleaned !== undefined) object[key] = cleaned;
  }
  return object;
}

/**
 * The state location that `terraform init` recorded in `dataDirectory`
 * (`<TF_DATA_DIR>/terraform.tfstate`), without null or secret settings, the
 * local backend's paths made absolute against `workingDirectory`. A
 * configuration with no backend block keeps `terraform.tfstate` in its
 * working directory; undefined when the directory cannot be read.
 */
export async function readStateLocation(
  dataDirectory: string,
  workingDirectory: string,
): Promise<StateLocation | undefined> {
  let text: string;
  try {
    text = await fs.readFile(
      path.join(dataDirectory, 'terraform.tfstate'),
      'utf8',
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    return {
      type: 'local',
      config: { path: path.join(workingDirectory, 'terraform.tfstate') },
    };
  }
  let backend: { type?: unknown; config?: unknown } | undefined;
  try {
    backend = JSON.parse(text)?.backend;
  } catch {
    return undefined;
  }
  if (typeof backend?.type !== 'string') {
    return {
      type: 'local',
      config: { path: path.join(workingDirectory, 'terraform.tfstate') },
    };
  }
  const config = (withoutNulls((backend.config ?? {}) as JsonValue) ??
    {}) as JsonObject;
  if (backend.type === 'local') {
    config.path ??= 'terraform.tfstate';
    for (const key of LOCAL_PATHS) {
      const value = config[key];
      if (typeof value === 'string') {
        config[key] = path.resolve(workingDirectory, value);
      }
    }
  }
  return { type: backend.type, config };
}

/** What tells one state from another: its file, or its bucket and key. */
function stateIdentity(location: StateLocation): string {
  const { type, config } = location;
  if (type === 'local') return `local:${config.path}`;
  if (type === 's3') {
    return `s3:${config.bucket}/${config.workspace_key_prefix ?? ''}/${
      config.key
    }`;
  }
  return `${type}:${JSON.stringify(config, Object.keys(config).sort())}`;
}

export function sameState(a: StateLocation, b: StateLocation): boolean {
  return stateIdentity(a) === stateIdentity(b);
}

/** Where the local backend writes its lock's description beside the state file. */
export function localLockFile(location: StateLocation): string | undefined {
  const statePath = location.config.path;
  if (location.type !== 'local' || typeof statePath !== 'string') {
    return undefined;
  }
  return path.join(
    path.dirname(statePath),
    `.${path.basename(statePath)}.lock.info`,
  );
}

async function readProcFile(pid: string, name: string) {
  return fs.readFile(path.join('/proc', pid, name), 'utf8');
}

/**
 * The processes of `binary` (by file name) on this host whose state is
 * `location`, found in /proc: each one's data directory (`TF_DATA_DIR`, or
 * `.terraform` in its working directory) says which backend it uses.
 * Processes of other users cannot be read and are not counted. Undefined
 * where there is no /proc to look in.
 */
export async function terraformProcessesUsing(
  location: StateLocation,
  binary: string,
): Promise<number[] | undefined> {
  let entries: string[];
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return undefined;
  }
  const name = path.basename(binary);
  const found: number[] = [];
  for (const pid of entries.filter(entry => /^\d+$/.test(entry))) {
    try {
      const [command] = (await readProcFile(pid, 'cmdline')).split('\0');
      if (path.basename(command) !== name) continue;
      const cwd = await fs.readlink(path.join('/proc', pid, 'cwd'));
      const dataDirectory = (await readProcFile(pid, 'environ'))
        .split('\0')
        .find(entry => entry.startsWith('TF_DATA_DIR='))
        ?.slice('TF_DATA_DIR='.length);
      const used = await readStateLocation(
        path.resolve(cwd, dataDirectory ?? '.terraform'),
        cwd,
      );
      if (used && sameState(used, location)) found.push(Number(pid));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}
