import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonObject, JsonValue } from '@backstage/types';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  MAX_ENTRIES,
  MAX_VALUE_BYTES,
  TERRAFORM_IDENTIFIER,
  validateVariables,
} from '../terraform/inputs';
import { TASK_TFVARS_FILE } from '../terraform/session';
import { resolveWorkingDirectory, terraformInputs, runMasked } from './common';
import { examples } from './setVariables.examples';

/**
 * A variables file Terraform loads by itself from the root module:
 * `terraform.tfvars.json` or `*.auto.tfvars.json`. Values written anywhere
 * else would be silently ignored: the actions pass no `-var-file`.
 */
const TFVARS_JSON_FILE =
  /^(terraform|[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}\.auto)\.tfvars\.json$/;
const MAP_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,199}$/;
const DEFAULT_FILE = 'terraform.tfvars.json';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `kler:environment:setVariables`: writes the values of an environment into
 * the JSON variables file of its Terraform configuration. Values stay data:
 * templates never render them into `.tf` files, so no value can become code;
 * the configuration's variable declarations type and validate them.
 *
 * @public
 */
export function createSetVariablesAction() {
  return createTemplateAction({
    id: 'kler:environment:setVariables',
    description:
      'Writes Terraform variables into a variables file Terraform loads by itself (terraform.tfvars.json by default, or a *.auto.tfvars.json), merging with what is there: whole variables, or entries of a map variable (e.g. one service of services). Values never become code.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        workingDirectory: terraformInputs.workingDirectory(),
        file: z =>
          z
            .string({
              description:
                'The variables file in the working directory: terraform.tfvars.json (default) or a *.auto.tfvars.json',
            })
            .optional(),
        variables: z =>
          z
            .record(z.any(), {
              description: 'Variables to set, replacing their current values',
            })
            .optional(),
        mapEntries: z =>
          z
            .array(
              z.object({
                variable: z.string({ description: 'A map variable' }),
                key: z.string({ description: 'The entry to set' }),
                value: z.any({ description: "The entry's value" }),
                replace: z
                  .boolean({
                    description:
                      'Replace an existing entry; by default an existing entry is an error',
                  })
                  .optional(),
              }),
              { description: 'Entries to add to map variables' },
            )
            .optional(),
      },
      output: {
        file: z =>
          z.string({
            description: 'The variables file, relative to the workspace',
          }),
      },
    },
    async handler(rawCtx) {
      // Inputs may carry the task's secrets (a commit message, a value): the
      // log, outputs and errors are masked like every action's.
      await runMasked(rawCtx, async ctx => {
        const { input } = ctx;
        const fileName = input.file ?? DEFAULT_FILE;
        if (!TFVARS_JSON_FILE.test(fileName) || fileName === TASK_TFVARS_FILE) {
          throw new InputError(
            `file '${fileName.slice(
              0,
              80,
            )}' must be terraform.tfvars.json or a *.auto.tfvars.json file name in the working directory, which Terraform loads by itself`,
          );
        }
        const variables = validateVariables(input.variables, undefined);
        const entries = input.mapEntries ?? [];
        if (entries.length > MAX_ENTRIES) {
          throw new InputError(
            `mapEntries has more than ${MAX_ENTRIES} entries`,
          );
        }
        for (const [index, entry] of entries.entries()) {
          if (!TERRAFORM_IDENTIFIER.test(entry.variable ?? '')) {
            throw new InputError(
              `mapEntries[${index}].variable is not a Terraform variable name`,
            );
          }
          if (!MAP_KEY.test(entry.key ?? '')) {
            throw new InputError(
              `mapEntries[${index}].key '${String(entry.key).slice(
                0,
                80,
              )}' is not a map key (letters, digits, _ . : / -)`,
            );
          }
          if (entry.value === undefined) {
            throw new InputError(`mapEntries[${index}].value is missing`);
          }
          const size = Buffer.byteLength(JSON.stringify(entry.value));
          if (size > MAX_VALUE_BYTES) {
            throw new InputError(
              `mapEntries[${index}].value is ${size} bytes; at most ${MAX_VALUE_BYTES} are allowed`,
            );
          }
        }

        const workingDirectory = await resolveWorkingDirectory(ctx);
        const file = path.join(workingDirectory, fileName);
        const stat = await fs.lstat(file).catch(() => undefined);
        if (stat && !stat.isFile()) {
          throw new InputError(`${fileName} is not a regular file`);
        }
        let current: JsonObject = {};
        if (stat) {
          try {
            const parsed = JSON.parse(await fs.readFile(file, 'utf8'));
            if (!isObject(parsed)) throw new Error('not an object');
            current = parsed;
          } catch (error) {
            throw new InputError(
              `${fileName} is not a JSON object of variables: ${
                (error as Error).message
              }`,
            );
          }
        }

        // No prototype: a variable named __proto__ or constructor is a variable.
        const next: JsonObject = Object.assign(
          Object.create(null),
          current,
          variables,
        );
        for (const entry of entries) {
          const map = next[entry.variable] ?? {};
          if (!isObject(map)) {
            throw new InputError(
              `${entry.variable} in ${fileName} is not a map, so it cannot take the entry ${entry.key}`,
            );
          }
          if (Object.hasOwn(map, entry.key) && !entry.replace) {
            throw new InputError(
              `${entry.variable} already has an entry ${entry.key} in ${fileName}; nothing was written`,
            );
          }
          next[entry.variable] = {
            ...map,
            [entry.key]: entry.value as JsonValue,
          };
        }

        await fs.writeFile(file, `${JSON.stringify(next, null, 2)}\n`);
        const changed = [
          ...Object.keys(variables),
          ...entries.map(entry => `${entry.variable}["${entry.key}"]`),
        ];
        ctx.logger.info(
          `Wrote ${changed.join(', ') || 'nothing'} to ${path.relative(
            ctx.workspacePath,
            file,
          )}`,
        );
        ctx.output('file', path.relative(ctx.workspacePath, file));
      });
    },
  });
}
