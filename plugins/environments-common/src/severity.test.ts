import {
  PROBLEM_SEVERITIES,
  compareProblems,
  isSeverityAtLeast,
  statusOfProblems,
  worstStatus,
} from './severity';
import { Problem } from './types';

function problem(overrides: Partial<Problem>): Problem {
  return {
    id: 'production/x',
    environment: 'production',
    area: 'health',
    severity: 'low',
    title: 't',
    explanation: 'e',
    proposedFix: 'f',
    ...overrides,
  };
}

describe('severities', () => {
  it('lists severities worst first', () => {
    expect(PROBLEM_SEVERITIES).toEqual(['critical', 'high', 'medium', 'low']);
  });

  it('compares severities against a minimum', () => {
    expect(isSeverityAtLeast('critical', 'high')).toBe(true);
    expect(isSeverityAtLeast('high', 'high')).toBe(true);
    expect(isSeverityAtLeast('medium', 'high')).toBe(false);
    expect(isSeverityAtLeast('low', 'low')).toBe(true);
    expect(isSeverityAtLeast('low', 'critical')).toBe(false);
  });

  it('orders problems by severity, then area, then id', () => {
    const problems = [
      problem({ id: 'b', severity: 'low', area: 'health' }),
      problem({ id: 'c', severity: 'high', area: 'backup' }),
      problem({ id: 'z', severity: 'high', area: 'health' }),
      problem({ id: 'a', severity: 'high', area: 'health' }),
      problem({ id: 'd', severity: 'critical', area: 'wellArchitected' }),
    ];
    expect([...problems].sort(compareProblems).map(p => p.id)).toEqual([
      'd',
      'a',
      'z',
      'c',
      'b',
    ]);
  });

  it('derives a status from problems', () => {
    expect(statusOfProblems([])).toBe('ok');
    expect(statusOfProblems([problem({ severity: 'low' })])).toBe('warning');
    expect(statusOfProblems([problem({ severity: 'medium' })])).toBe('warning');
    expect(statusOfProblems([problem({ severity: 'high' })])).toBe('error');
    expect(statusOfProblems([problem({ severity: 'critical' })])).toBe('error');
  });

  it('picks the worst status, unknown above ok', () => {
    expect(worstStatus([])).toBe('ok');
    expect(worstStatus(['ok', 'unknown'])).toBe('unknown');
    expect(worstStatus(['unknown', 'warning', 'ok'])).toBe('warning');
    expect(worstStatus(['warning', 'error', 'unknown'])).toBe('error');
  });
});
