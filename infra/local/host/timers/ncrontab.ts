// Timer schedules as Azure Functions reads them: a 6-field NCRONTAB expression
// ({second} {minute} {hour} {day} {month} {day-of-week}) evaluated in UTC (or WEBSITE_TIME_ZONE),
// where day-of-month AND day-of-week must both match (NCrontab semantics, unlike Vixie cron's OR),
// or a TimeSpan ("hh:mm:ss" / "d.hh:mm:ss") for a fixed interval.
import { Cron } from 'croner';
import { HostError } from '../errors';

export interface Schedule {
  readonly expression: string;
  /** The first occurrence strictly after `after`, or undefined if there is none. */
  next(after: Date): Date | undefined;
  /** Fixed interval in ms for TimeSpan schedules (drives the "UseMonitor" default). */
  readonly intervalMs?: number;
}

// NCrontab knows numbers, month and day names, `*`, `,`, `-` and `/`; Quartz extras (`?`, `L`,
// `W`, `#`) are not NCRONTAB.
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function validField(field: string, index: number): boolean {
  const names = index === 4 ? MONTHS : index === 5 ? DAYS : [];
  const atom = (text: string): boolean => /^\d+$/.test(text) || names.includes(text.toUpperCase());
  return field.split(',').every((part) => {
    const [range, step, ...extra] = part.split('/');
    if (extra.length > 0 || (step !== undefined && !/^\d+$/.test(step))) return false;
    if (range === '*') return true;
    const bounds = range.split('-');
    return bounds.length <= 2 && bounds.every(atom);
  });
}
const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const FIELD_NAMES = ['second', 'minute', 'hour', 'day', 'month', 'day-of-week'];

/** Parses a schedule; throws HostError('timer.schedule') naming the problem. */
export function parseSchedule(expression: string, options: { timezone?: string; functionName?: string } = {}): Schedule {
  const where = options.functionName ? ` of timer function "${options.functionName}"` : '';
  const text = expression.trim();
  const timespan = TIMESPAN.exec(text);
  if (timespan) {
    const [, days, hours, minutes, seconds] = timespan;
    const intervalMs = ((Number(days ?? 0) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds ?? 0)) * 1000;
    if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds ?? 0) > 59 || intervalMs <= 0) {
      throw new HostError('timer.schedule', `Invalid TimeSpan schedule "${expression}"${where}`);
    }
    return { expression: text, intervalMs, next: (after) => new Date(after.getTime() + intervalMs) };
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 6) {
    throw new HostError(
      'timer.schedule',
      `Invalid NCRONTAB schedule "${expression}"${where}: expected 6 fields ({second} {minute} {hour} {day} {month} {day-of-week}), got ${fields.length}`,
    );
  }
  fields.forEach((field, i) => {
    if (!validField(field, i)) {
      throw new HostError('timer.schedule', `Invalid NCRONTAB schedule "${expression}"${where}: cannot read the ${FIELD_NAMES[i]} field "${field}"`);
    }
  });
  let cron: Cron;
  try {
    cron = new Cron(text, { mode: '6-part', domAndDow: true, timezone: options.timezone ?? 'UTC' });
  } catch (error) {
    throw new HostError('timer.schedule', `Invalid NCRONTAB schedule "${expression}"${where}: ${(error as Error).message}`);
  }
  return {
    expression: text,
    next: (after) => cron.nextRun(after) ?? undefined,
  };
}

/** The next `count` occurrences after `from` (for logs and tests). */
export function nextOccurrences(schedule: Schedule, from: Date, count: number): Date[] {
  const result: Date[] = [];
  let cursor = from;
  for (let i = 0; i < count; i++) {
    const next = schedule.next(cursor);
    if (!next) break;
    result.push(next);
    cursor = next;
  }
  return result;
}
