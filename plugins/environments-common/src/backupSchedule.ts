/*
 * The interval of an AWS Backup schedule, which is the recovery point objective
 * the backup rules check against. AWS Backup takes `cron(...)` expressions with
 * six fields (minutes hours day-of-month month day-of-week year, UTC) and
 * `rate(...)` expressions.
 */

const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];
// In AWS cron expressions, day-of-week 1 is Sunday.
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const RATE_UNIT_HOURS: Record<string, number> = {
  minute: 1 / 60,
  minutes: 1 / 60,
  hour: 1,
  hours: 1,
  day: 24,
  days: 24,
};

function parseValue(token: string, min: number, names?: string[]): number {
  const byName = names?.indexOf(token.toUpperCase()) ?? -1;
  if (byName >= 0) {
    return byName + min;
  }
  return /^\d+$/.test(token) ? Number(token) : NaN;
}

/** The values a plain cron field (no L, W or #) allows, or undefined if invalid. */
function expandField(
  field: string,
  min: number,
  max: number,
  names?: string[],
): Set<number> | undefined {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) {
      return undefined;
    }
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [start, end] = range.split('-');
      from = parseValue(start, min, names);
      to = parseValue(end, min, names);
    } else {
      from = parseValue(range, min, names);
      to = stepText === undefined ? from : max;
    }
    if (
      Number.isNaN(from) ||
      Number.isNaN(to) ||
      from < min ||
      to > max ||
      from > to
    ) {
      return undefined;
    }
    for (let value = from; value <= to; value += step) {
      values.add(value);
    }
  }
  return values;
}

type DayMatcher = (date: Date) => boolean;

function lastDayOfMonth(date: Date): number {
  return new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0),
  ).getUTCDate();
}

function dayOfMonthMatcher(field: string): DayMatcher | undefined {
  if (field === 'L') {
    return date => date.getUTCDate() === lastDayOfMonth(date);
  }
  // "15W" is the weekday nearest the 15th; within a day or two of it, which
  // is close enough for an interval measured in hours.
  const days = expandField(field.replace(/W$/, ''), 1, 31);
  return days && (date => days.has(date.getUTCDate()));
}

function dayOfWeekMatcher(field: string): DayMatcher | undefined {
  const weekday = (date: Date) => date.getUTCDay() + 1;
  const last = field.match(/^(\w+)L$/);
  if (last) {
    const day = parseValue(last[1], 1, DAY_NAMES);
    return Number.isNaN(day)
      ? undefined
      : date =>
          weekday(date) === day && date.getUTCDate() > lastDayOfMonth(date) - 7;
  }
  const nth = field.match(/^(\w+)#([1-5])$/);
  if (nth) {
    const day = parseValue(nth[1], 1, DAY_NAMES);
    const week = Number(nth[2]);
    return Number.isNaN(day)
      ? undefined
      : date =>
          weekday(date) === day && Math.ceil(date.getUTCDate() / 7) === week;
  }
  const days = expandField(field, 1, 7, DAY_NAMES);
  return days && (date => days.has(weekday(date)));
}

const MINUTES_PER_DAY = 24 * 60;
// Long enough to contain two firings of a yearly schedule, starting in a leap year.
const SIMULATED_DAYS = 2 * 366;
const SIMULATION_START = Date.UTC(2024, 0, 1);

function cronFrequencyHours(expression: string): number | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    return undefined;
  }
  const [minuteField, hourField, domField, monthField, dowField] = fields;
  const minutes = expandField(minuteField, 0, 59);
  const hours = expandField(hourField, 0, 23);
  const months = expandField(monthField, 1, 12, MONTH_NAMES);
  const dayOfMonth =
    domField === '?' || domField === '*'
      ? undefined
      : dayOfMonthMatcher(domField);
  const dayOfWeek =
    dowField === '?' || dowField === '*'
      ? undefined
      : dayOfWeekMatcher(dowField);
  if (
    !minutes ||
    !hours ||
    !months ||
    (domField !== '?' && domField !== '*' && !dayOfMonth) ||
    (dowField !== '?' && dowField !== '*' && !dayOfWeek)
  ) {
    return undefined;
  }

  const timesOfDay: number[] = [];
  for (const hour of [...hours].sort((a, b) => a - b)) {
    for (const minute of [...minutes].sort((a, b) => a - b)) {
      timesOfDay.push(hour * 60 + minute);
    }
  }
  let largestGap = 0;
  for (let i = 1; i < timesOfDay.length; i++) {
    largestGap = Math.max(largestGap, timesOfDay[i] - timesOfDay[i - 1]);
  }

  let previousDay: number | undefined;
  for (let day = 0; day < SIMULATED_DAYS; day++) {
    const date = new Date(SIMULATION_START + day * MINUTES_PER_DAY * 60 * 1000);
    const fires =
      months.has(date.getUTCMonth() + 1) &&
      (!dayOfMonth || dayOfMonth(date)) &&
      (!dayOfWeek || dayOfWeek(date));
    if (!fires) {
      continue;
    }
    if (previousDay !== undefined) {
      const gap =
        (day - previousDay) * MINUTES_PER_DAY +
        timesOfDay[0] -
        timesOfDay[timesOfDay.length - 1];
      largestGap = Math.max(largestGap, gap);
    }
    previousDay = day;
  }
  return largestGap > 0 ? largestGap / 60 : undefined;
}

/**
 * Hours between two runs of an AWS Backup schedule expression: the longest gap
 * for schedules with uneven intervals (`cron(0 5 ? * MON-FRI *)` gives 72).
 * Undefined when the expression cannot be parsed.
 *
 * @public
 */
export function parseBackupScheduleFrequencyHours(
  expression: string,
): number | undefined {
  const trimmed = expression.trim();
  const rate = trimmed.match(/^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/i);
  if (rate) {
    const unitHours = RATE_UNIT_HOURS[rate[2].toLowerCase()];
    const value = Number(rate[1]);
    return unitHours !== undefined && value > 0 ? value * unitHours : undefined;
  }
  const cron = trimmed.match(/^cron\((.*)\)$/i);
  return cron ? cronFrequencyHours(cron[1]) : undefined;
}
