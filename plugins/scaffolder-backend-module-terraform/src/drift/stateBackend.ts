import { parse } from '@cdktf/hcl2json';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The backend block of a root module: its type and the settings written in it. */
export interface StateBackend {
  type: string;
  settings: Record<string, unknown>;
}

type Body = Record<string, unknown>;

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** hcl2json gives a list of bodies per block; JSON syntax may give one. */
function bodies(value: unknown): Body[] {
  if (Array.isArray(value)) return value.filter(isBody);
  return isBody(value) ? [value] : [];
}

/**
 * The backend the root module in `directory` declares (`terraform { backend
 * "s3" { ... } }`), from its `.tf` and `.tf.json` files; undefined when it
 * declares none. The content policy has checked the files before.
 */
export async function readStateBackend(
  directory: string,
): Promise<StateBackend | undefined> {
  const names = (await fs.readdir(directory)).filter(
    name => name.endsWith('.tf') || name.endsWith('.tf.json'),
  );
  for (const name of names.sort()) {
    const text = await fs.readFile(path.join(directory, name), 'utf8');
    const parsed: Body = name.endsWith('.json')
      ? JSON.parse(text)
      : await parse(name, text);
    for (const terraform of bodies(parsed.terraform)) {
      const backends = isBody(terraform.backend) ? terraform.backend : {};
      for (const [type, value] of Object.entries(backends)) {
        const [settings = {}] = bodies(value);
        return { type, settings };
      }
    }
  }
  return undefined;
}

/**
 * The `-backend-config` settings of an environment's drift check: the
 * server's `kler.terraform.backendConfig` and the environment's state key,
 * `environments/<name>/terraform.tfstate`, as the environment's own plans
 * use. The local backend has no key: its state is where `path` says, which
 * must then be absolute (a relative one is inside the fresh checkout, where
 * there is no state). Returns why the check cannot run instead of settings
 * when there is no shared state to compare with.
 */
export function driftBackendConfig(
  environmentName: string,
  backend: StateBackend | undefined,
  serverSettings: Record<string, string>,
): { settings: Record<string, string> } | { skipReason: string } {
  if (!backend) {
    return {
      skipReason:
        'the code declares no backend: its state stays in the working directory of each run, so there is no state to compare with',
    };
  }
  if (backend.type === 'local') {
    const statePath = serverSettings.path ?? backend.settings.path;
    if (typeof statePath !== 'string' || !path.isAbsolute(statePath)) {
      return {
        skipReason:
          'the local backend has no absolute path: its state is not where a fresh checkout of the code can find it',
      };
    }
    return { settings: { ...serverSettings } };
  }
  return {
    settings: {
      ...serverSettings,
      key: `environments/${environmentName}/terraform.tfstate`,
    },
  };
}
