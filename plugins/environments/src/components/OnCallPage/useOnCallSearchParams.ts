import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  ENVIRONMENT_AREAS,
  EnvironmentArea,
  PROBLEM_SEVERITIES,
  Problem,
  ProblemSeverity,
} from '@kler/plugin-environments-common';
import { ProblemQuery } from '../../api';
import { ProblemExpansion } from '../shared/ProblemList';

/** How long typing rests before the text filter is written to the URL. */
const URL_WRITE_DELAY_MS = 400;

export interface OnCallFilters extends ProblemQuery {
  /** Text that service rows and problems must contain. */
  text: string;
}

function oneOf<T extends string>(
  value: string | null,
  allowed: readonly T[],
): T | undefined {
  return allowed.find(a => a === value);
}

/**
 * The on-call page's state in its URL, so that a link pasted into an incident
 * channel opens the same view: `?environment=&area=&severity=&q=&problem=`
 * (`problem` once per open problem). The text filter applies at once and
 * reaches the URL when typing rests.
 */
export function useOnCallSearchParams(): {
  filters: OnCallFilters;
  setFilters: (next: Partial<OnCallFilters>) => void;
  expansion: ProblemExpansion;
} {
  const [params, setParams] = useSearchParams();
  const urlText = params.get('q') ?? '';
  const [text, setText] = useState(urlText);
  const pendingWrite = useRef<number>();

  // A link followed, or back and forward: the URL wins over what was typed.
  useEffect(() => {
    if (pendingWrite.current === undefined) setText(urlText);
  }, [urlText]);
  useEffect(() => () => window.clearTimeout(pendingWrite.current), []);

  const environment = params.get('environment') ?? undefined;
  const area = oneOf<EnvironmentArea>(params.get('area'), ENVIRONMENT_AREAS);
  const minSeverity = oneOf<ProblemSeverity>(
    params.get('severity'),
    PROBLEM_SEVERITIES,
  );
  const problemIds = params.getAll('problem');

  const filters = useMemo(
    () => ({ environment, area, minSeverity, text }),
    [environment, area, minSeverity, text],
  );

  const update = useCallback(
    (change: (next: URLSearchParams) => void) =>
      setParams(
        previous => {
          const next = new URLSearchParams(previous);
          change(next);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const setFilters = useCallback(
    (next: Partial<OnCallFilters>) => {
      const { text: nextText, ...query } = next;
      if (nextText !== undefined) {
        setText(nextText);
        window.clearTimeout(pendingWrite.current);
        pendingWrite.current = window.setTimeout(() => {
          pendingWrite.current = undefined;
          update(p => (nextText ? p.set('q', nextText) : p.delete('q')));
        }, URL_WRITE_DELAY_MS);
      }
      if (Object.keys(query).length > 0) {
        update(p => {
          const set = (key: string, value?: string) =>
            value ? p.set(key, value) : p.delete(key);
          if ('environment' in query) set('environment', query.environment);
          if ('area' in query) set('area', query.area);
          if ('minSeverity' in query) set('severity', query.minSeverity);
        });
      }
    },
    [update],
  );

  const problemKey = problemIds.join('\n');
  const expanded = useMemo(
    () => new Set(problemKey ? problemKey.split('\n') : []),
    [problemKey],
  );
  const onToggle = useCallback(
    (problem: Problem) =>
      update(p => {
        const open = p.getAll('problem');
        p.delete('problem');
        const next = open.includes(problem.id)
          ? open.filter(id => id !== problem.id)
          : [...open, problem.id];
        next.forEach(id => p.append('problem', id));
      }),
    [update],
  );

  return { filters, setFilters, expansion: { expanded, onToggle } };
}
