import {
  EcsService,
  EntityEnvironmentsResponse,
  EnvironmentSummary,
} from '../types';
import { ContainerDefinitionSummary } from '../workloadTypes';

/**
 * What a row of the parity view compares.
 *
 * @public
 */
export type ParityAttribute =
  | 'taskDefinition'
  | 'taskSize'
  | 'scaling'
  | 'image'
  | 'imageDigest'
  | 'environmentNames'
  | 'secretNames';

/**
 * What one environment has for one row. `value` is what is compared (a
 * text, or a sorted list of names for the variable and secret rows);
 * `unknown` when it could not be said (`reason` says why).
 *
 * @public
 */
export type ParityCell =
  | { kind: 'value'; value: string }
  | { kind: 'names'; names: string[] }
  | {
      kind: 'unknown';
      reason:
        | 'notDeployed'
        | 'notRead'
        | 'taskDefinitionsNotRead'
        | 'digestNotReported';
    };

/**
 * `same`: every environment has the same; `different`: two known cells
 * differ; `unknown`: too little is known to tell; `notCompared`: shown for
 * reference only (the task definition: each environment registers its own,
 * in its own account, so their families and revisions differ by design).
 *
 * @public
 */
export type ParityState = 'same' | 'different' | 'unknown' | 'notCompared';

/** @public */
export interface ParityRow {
  /** Unique in the view: `<service>/<container>/<attribute>` or `<service>/<attribute>`. */
  key: string;
  serviceName: string;
  /** For the rows about one container. */
  containerName?: string;
  attribute: ParityAttribute;
  /** Keyed by environment name. */
  cells: Record<string, ParityCell>;
  state: ParityState;
  /** What differs, in words: `production has DB_URL, development lacks it`. */
  differences: string[];
}

/** @public */
export interface ParityEnvironment {
  name: string;
  title: string;
  tier: EnvironmentSummary['tier'];
}

/**
 * What runs where, for an entity's services: a row per compared attribute,
 * a cell per environment.
 *
 * @public
 */
export interface ParityView {
  /** Production first, then by name. */
  environments: ParityEnvironment[];
  rows: ParityRow[];
  /** No environment has read any task definition of these services yet. */
  taskDefinitionsUnread: boolean;
}

/**
 * The label of each attribute, as the parity view's rows name them.
 *
 * @public
 */
export const PARITY_ATTRIBUTE_LABELS: Record<ParityAttribute, string> = {
  taskDefinition: 'Task definition',
  taskSize: 'Task size',
  scaling: 'Scaling',
  image: 'Image',
  imageDigest: 'Image digest',
  environmentNames: 'Variables',
  secretNames: 'Secrets',
};

type Entry = EntityEnvironmentsResponse['environments'][number];

const NOT_DEPLOYED: ParityCell = { kind: 'unknown', reason: 'notDeployed' };
const NOT_READ: ParityCell = { kind: 'unknown', reason: 'notRead' };
const TASK_DEFINITIONS_NOT_READ: ParityCell = {
  kind: 'unknown',
  reason: 'taskDefinitionsNotRead',
};

function compareEntries(a: Entry, b: Entry): number {
  if (a.summary.tier !== b.summary.tier) {
    return a.summary.tier === 'production' ? -1 : 1;
  }
  return a.summary.name.localeCompare(b.summary.name);
}

function value(text: string): ParityCell {
  return { kind: 'value', value: text };
}

function cellKey(cell: ParityCell): string | undefined {
  if (cell.kind === 'value') return cell.value;
  if (cell.kind === 'names') return cell.names.join('\n');
  return undefined;
}

function primaryContainers(
  service: EcsService,
): ContainerDefinitionSummary[] | undefined {
  return service.taskDefinitions?.[0]?.containers;
}

/** The digest the service's running tasks report for a container. */
function runningDigest(service: EcsService, containerName: string) {
  for (const task of service.tasks) {
    if (task.lastStatus !== 'RUNNING') continue;
    const digest = task.containers.find(
      c => c.name === containerName,
    )?.imageDigest;
    if (digest) return digest;
  }
  return undefined;
}

function serviceAttributeCell(
  service: EcsService,
  summary: EnvironmentSummary,
  attribute: 'taskDefinition' | 'taskSize' | 'scaling',
): ParityCell {
  if (attribute === 'scaling') {
    if (summary.pending?.includes('scaling')) return NOT_READ;
    const scaling = service.scaling;
    return value(
      scaling
        ? `min ${scaling.minCapacity} · max ${scaling.maxCapacity}`
        : 'no scalable target',
    );
  }
  const taskDefinition = service.taskDefinitions?.[0];
  if (!taskDefinition) return TASK_DEFINITIONS_NOT_READ;
  if (attribute === 'taskDefinition') {
    return value(`${taskDefinition.family}:${taskDefinition.revision}`);
  }
  return value(
    taskDefinition.cpu || taskDefinition.memory
      ? `${taskDefinition.cpu ?? '-'} CPU units · ${
          taskDefinition.memory ?? '-'
        } MiB`
      : 'sized per container',
  );
}

const CONTAINER_ATTRIBUTES = [
  'image',
  'imageDigest',
  'environmentNames',
  'secretNames',
] as const;

function containerAttributeCell(
  service: EcsService,
  containerName: string,
  attribute: (typeof CONTAINER_ATTRIBUTES)[number],
): ParityCell {
  const containers = primaryContainers(service);
  if (!containers) return TASK_DEFINITIONS_NOT_READ;
  const container = containers.find(c => c.name === containerName);
  if (!container) return value('no such container');
  const { image } = container;
  switch (attribute) {
    case 'image':
      // The registry differs by account by design; the repository and tag say what runs.
      return value(
        `${image.repository}${image.tag ? `:${image.tag}` : ''}${
          image.digest ? `@${image.digest}` : ''
        }`,
      );
    case 'imageDigest': {
      const digest = image.digest ?? runningDigest(service, containerName);
      return digest
        ? value(digest)
        : { kind: 'unknown', reason: 'digestNotReported' };
    }
    case 'environmentNames':
      return { kind: 'names', names: [...container.environmentNames].sort() };
    default:
      return {
        kind: 'names',
        names: container.secrets.map(secret => secret.name).sort(),
      };
  }
}

function listTitles(titles: string[]): string {
  if (titles.length <= 1) return titles.join('');
  return `${titles.slice(0, -1).join(', ')} and ${titles[titles.length - 1]}`;
}

/** `production has DB_URL, development lacks it`, one line per name not everywhere. */
function describeNameDifferences(
  cells: Array<{ title: string; names: string[] }>,
): string[] {
  const all = [...new Set(cells.flatMap(cell => cell.names))].sort();
  return all.flatMap(name => {
    const having = cells.filter(c => c.names.includes(name)).map(c => c.title);
    const lacking = cells
      .filter(c => !c.names.includes(name))
      .map(c => c.title);
    if (lacking.length === 0) return [];
    return [
      `${listTitles(having)} ${
        having.length === 1 ? 'has' : 'have'
      } ${name}, ` +
        `${listTitles(lacking)} ${lacking.length === 1 ? 'lacks' : 'lack'} it`,
    ];
  });
}

function compareCells(
  cells: Record<string, ParityCell>,
  environments: ParityEnvironment[],
): Pick<ParityRow, 'state' | 'differences'> {
  const known = environments.flatMap(env => {
    const cell = cells[env.name];
    return cell.kind === 'unknown' ? [] : [{ title: env.title, cell }];
  });
  const distinct = new Set(known.map(k => cellKey(k.cell)));
  if (distinct.size > 1) {
    const differences =
      known[0].cell.kind === 'names'
        ? describeNameDifferences(
            known.map(k => ({
              title: k.title,
              names: k.cell.kind === 'names' ? k.cell.names : [],
            })),
          )
        : [known.map(k => `${k.title}: ${cellKey(k.cell)}`).join('; ')];
    return { state: 'different', differences };
  }
  return {
    state:
      known.length === environments.length && known.length > 1
        ? 'same'
        : 'unknown',
    differences: [],
  };
}

/**
 * Lines up what an entity's services run in each environment (the response
 * of `GET /entity/:namespace/:kind/:name`): per service its task definition
 * revision, task size and scaling limits, and per container (of the primary
 * deployment's task definition) its image, the digest it runs, and the names
 * of its variables and secrets, each row marked the same or different across
 * the environments, with what differs in words. Values of variables are not
 * in the snapshots; names are compared as sets.
 *
 * @public
 */
export function buildParityView(
  response: EntityEnvironmentsResponse,
): ParityView {
  const entries = [...response.environments].sort(compareEntries);
  const environments: ParityEnvironment[] = entries.map(({ summary }) => ({
    name: summary.name,
    title: summary.title ?? summary.name,
    tier: summary.tier,
  }));
  const serviceIn = (entry: Entry, serviceName: string) =>
    entry.services.find(s => s.service.serviceName === serviceName)?.service;

  const rows: ParityRow[] = [];
  const addRow = (
    fields: Omit<ParityRow, 'cells' | 'state' | 'differences'>,
    cellOf: (service: EcsService, entry: Entry) => ParityCell,
  ) => {
    const cells: Record<string, ParityCell> = {};
    for (const entry of entries) {
      const service = serviceIn(entry, fields.serviceName);
      if (!entry.summary.refreshedAt) {
        cells[entry.summary.name] = NOT_READ;
      } else {
        cells[entry.summary.name] = service
          ? cellOf(service, entry)
          : NOT_DEPLOYED;
      }
    }
    rows.push({
      ...fields,
      cells,
      ...(fields.attribute === 'taskDefinition'
        ? { state: 'notCompared' as const, differences: [] }
        : compareCells(cells, environments)),
    });
  };

  for (const serviceName of response.serviceNames) {
    for (const attribute of [
      'taskDefinition',
      'taskSize',
      'scaling',
    ] as const) {
      addRow(
        { key: `${serviceName}/${attribute}`, serviceName, attribute },
        (service, entry) =>
          serviceAttributeCell(service, entry.summary, attribute),
      );
    }
    const containerNames = [
      ...new Set(
        entries.flatMap(entry => {
          const service = serviceIn(entry, serviceName);
          const containers = service ? primaryContainers(service) : undefined;
          return (containers ?? []).map(container => container.name);
        }),
      ),
    ];
    for (const containerName of containerNames) {
      for (const attribute of CONTAINER_ATTRIBUTES) {
        addRow(
          {
            key: `${serviceName}/${containerName}/${attribute}`,
            serviceName,
            containerName,
            attribute,
          },
          service => containerAttributeCell(service, containerName, attribute),
        );
      }
    }
  }

  return {
    environments,
    rows,
    taskDefinitionsUnread: !entries.some(entry =>
      entry.services.some(s => s.service.taskDefinitions !== undefined),
    ),
  };
}
