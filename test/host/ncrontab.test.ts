import { HostError } from '../../infra/local/host/errors';
import { nextOccurrences, parseSchedule } from '../../infra/local/host/timers/ncrontab';

const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());
// A Monday.
const FROM = new Date('2024-01-01T00:00:00.000Z');

describe('NCRONTAB schedules (the examples of the Azure Functions timer trigger documentation)', () => {
  it('0 */5 * * * * runs once every five minutes', () => {
    expect(iso(nextOccurrences(parseSchedule('0 */5 * * * *'), FROM, 3))).toEqual([
      '2024-01-01T00:05:00.000Z',
      '2024-01-01T00:10:00.000Z',
      '2024-01-01T00:15:00.000Z',
    ]);
  });

  it('0 0 * * * * runs at the top of every hour', () => {
    expect(iso(nextOccurrences(parseSchedule('0 0 * * * *'), FROM, 2))).toEqual(['2024-01-01T01:00:00.000Z', '2024-01-01T02:00:00.000Z']);
  });

  it('0 0 */2 * * * runs once every two hours', () => {
    expect(iso(nextOccurrences(parseSchedule('0 0 */2 * * *'), FROM, 2))).toEqual(['2024-01-01T02:00:00.000Z', '2024-01-01T04:00:00.000Z']);
  });

  it('0 0 9-17 * * * runs every hour from 9 AM to 5 PM', () => {
    const runs = iso(nextOccurrences(parseSchedule('0 0 9-17 * * *'), FROM, 10));
    expect(runs[0]).toBe('2024-01-01T09:00:00.000Z');
    expect(runs[8]).toBe('2024-01-01T17:00:00.000Z');
    expect(runs[9]).toBe('2024-01-02T09:00:00.000Z');
  });

  it('0 30 9 * * * runs at 9:30 every day', () => {
    expect(iso(nextOccurrences(parseSchedule('0 30 9 * * *'), FROM, 2))).toEqual(['2024-01-01T09:30:00.000Z', '2024-01-02T09:30:00.000Z']);
  });

  it('0 30 9 * * 1-5 runs at 9:30 on weekdays only', () => {
    const runs = iso(nextOccurrences(parseSchedule('0 30 9 * * 1-5'), FROM, 6));
    expect(runs).toEqual([
      '2024-01-01T09:30:00.000Z',
      '2024-01-02T09:30:00.000Z',
      '2024-01-03T09:30:00.000Z',
      '2024-01-04T09:30:00.000Z',
      '2024-01-05T09:30:00.000Z',
      '2024-01-08T09:30:00.000Z',
    ]);
  });

  it('0 30 9 * Jan Mon runs at 9:30 every Monday in January (names work)', () => {
    const runs = iso(nextOccurrences(parseSchedule('0 30 9 * Jan Mon'), FROM, 6));
    expect(runs).toEqual([
      '2024-01-01T09:30:00.000Z',
      '2024-01-08T09:30:00.000Z',
      '2024-01-15T09:30:00.000Z',
      '2024-01-22T09:30:00.000Z',
      '2024-01-29T09:30:00.000Z',
      '2025-01-06T09:30:00.000Z',
    ]);
  });

  it('requires day-of-month AND day-of-week to match, as NCrontab does (Friday the 13th)', () => {
    expect(iso(nextOccurrences(parseSchedule('0 0 0 13 * 5'), FROM, 2))).toEqual(['2024-09-13T00:00:00.000Z', '2024-12-13T00:00:00.000Z']);
  });

  it('runs every second with */1 * * * * *', () => {
    const start = new Date('2024-01-01T00:00:00.500Z');
    expect(iso(nextOccurrences(parseSchedule('*/1 * * * * *'), start, 2))).toEqual(['2024-01-01T00:00:01.000Z', '2024-01-01T00:00:02.000Z']);
  });

  it('accepts TimeSpan schedules as fixed intervals', () => {
    const schedule = parseSchedule('00:00:30');
    expect(schedule.intervalMs).toBe(30_000);
    expect(schedule.next(FROM)?.toISOString()).toBe('2024-01-01T00:00:30.000Z');
    expect(parseSchedule('1.02:00:00').intervalMs).toBe(26 * 3600 * 1000);
  });

  it.each([
    ['* * * * *', /expected 6 fields/],
    ['0 0 * * * * *', /expected 6 fields/],
    ['0 61 * * * *', /Invalid NCRONTAB schedule/],
    ['0 0 0 ? * *', /day field "\?"/],
    ['0 0 0 L * *', /Invalid NCRONTAB schedule/],
    ['every minute', /expected 6 fields/],
    ['', /expected 6 fields/],
  ])('rejects %j with a clear error', (expression, message) => {
    let error: unknown;
    try {
      parseSchedule(expression, { functionName: 'nightly' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).code).toBe('timer.schedule');
    expect((error as HostError).message).toMatch(message);
    expect((error as HostError).message).toContain('timer function "nightly"');
  });
});
