import { parseBackupScheduleFrequencyHours } from './backupSchedule';

describe('parseBackupScheduleFrequencyHours', () => {
  it.each([
    ['cron(0 5 ? * * *)', 24],
    ['cron(0 5 * * ? *)', 24],
    ['cron(0 */12 ? * * *)', 12],
    ['cron(0 0/6 ? * * *)', 6],
    ['cron(30 1,13 ? * * *)', 12],
    ['cron(0 1,5 ? * * *)', 20],
    ['cron(0 * ? * * *)', 1],
    ['cron(0 5 ? * SUN *)', 168],
    ['cron(0 5 ? * 1 *)', 168],
    ['cron(0 5 ? * MON-FRI *)', 72],
    ['cron(0 5 1 * ? *)', 31 * 24],
    ['cron(0 5 L * ? *)', 31 * 24],
    ['cron(0 5 ? * 6L *)', 35 * 24],
    ['cron(0 5 ? * 2#1 *)', 35 * 24],
    ['cron(0 3 1 JAN ? *)', 366 * 24],
    ['rate(1 hour)', 1],
    ['rate(12 hours)', 12],
    ['rate(30 minutes)', 0.5],
    ['rate(1 day)', 24],
    ['rate(7 days)', 168],
    [' cron(0 5 ? * * *) ', 24],
  ])('%s runs every %d hours', (expression, hours) => {
    expect(parseBackupScheduleFrequencyHours(expression)).toBe(hours);
  });

  it.each([
    '',
    '0 5 * * *',
    'cron(0 5 * *)',
    'cron(61 5 ? * * *)',
    'cron(0 24 ? * * *)',
    'cron(0 5 ? * FUNDAY *)',
    'cron(0 5 ? * 9 *)',
    'cron(0 */0 ? * * *)',
    'rate(0 hours)',
    'rate(5 weeks)',
    'daily',
  ])('rejects %p', expression => {
    expect(parseBackupScheduleFrequencyHours(expression)).toBeUndefined();
  });
});
