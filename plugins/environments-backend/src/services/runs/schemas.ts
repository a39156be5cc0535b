import {
  ENVIRONMENT_RUN_KINDS,
  ENVIRONMENT_RUN_OUTCOMES,
  ENVIRONMENT_RUN_SOURCES,
  EnvironmentRunKind,
  EnvironmentRunOutcome,
  EnvironmentRunReport,
  EnvironmentRunSource,
} from '@kler/plugin-environments-common';
import { z } from 'zod';

/** Runs a list answers at most; the frontend shows far fewer. */
export const MAX_RUNS_LISTED = 100;
const DEFAULT_RUNS_LISTED = 20;

const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const count = z.number().int().min(0).max(1_000_000);

const changeCounts = z.object({
  add: count,
  change: count,
  destroy: count,
  replace: count,
});

/**
 * Where a run can be opened: a path of the portal (`/create/tasks/<id>`) or an
 * http(s) URL (a pipeline run). Anything else (`javascript:`, `//host`) would
 * become a link in the portal's pages.
 */
const link = z
  .string()
  .max(2048)
  .refine(
    value => {
      if (/^\/(?!\/)/.test(value)) {
        return !/[\s\\]/.test(value);
      }
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    },
    {
      message:
        'must be a path of the portal such as /create/tasks/<id>, or an http(s) URL',
    },
  );

/** The body of `POST /v1/environments/:name/runs`. */
export const runReportSchema: z.ZodType<EnvironmentRunReport> = z.object({
  kind: z.enum(
    ENVIRONMENT_RUN_KINDS as [EnvironmentRunKind, ...EnvironmentRunKind[]],
  ),
  source: z.enum(
    ENVIRONMENT_RUN_SOURCES as [
      EnvironmentRunSource,
      ...EnvironmentRunSource[],
    ],
  ),
  outcome: z.enum(
    ENVIRONMENT_RUN_OUTCOMES as [
      EnvironmentRunOutcome,
      ...EnvironmentRunOutcome[],
    ],
  ),
  actor: z.string().min(1).max(255).optional(),
  at: z
    .string()
    .refine(value => ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)), {
      message: 'must be an ISO 8601 time such as 2026-12-01T10:00:00Z',
    })
    .optional(),
  link: link.optional(),
  summary: changeCounts
    .extend({
      byType: z
        .record(z.string().min(1).max(200), changeCounts)
        .refine(byType => Object.keys(byType).length <= 1000, {
          message: 'has more than 1000 resource types',
        })
        .default({}),
      outputChanges: count.optional(),
    })
    .optional(),
  message: z.string().max(2000).optional(),
});

/** The query of `GET /v1/environments/:name/runs`. */
export const runListQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_RUNS_LISTED)
    .default(DEFAULT_RUNS_LISTED),
});
