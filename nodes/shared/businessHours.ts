// Opening hours in a time zone, for "is anyone there?" before a handoff. No dependencies: the
// zone's offsets come from Intl.DateTimeFormat, so daylight saving time follows the runtime's
// time zone data. Times are wall times of the zone; instants are UTC milliseconds.

/** 0 = Sunday … 6 = Saturday, as Date#getDay() (and Tiledesk's operating hours) count them. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** Minutes after the day's midnight; `end` up to 1440 (24:00). `end <= start` runs past midnight. */
export interface TimeRange {
	start: number;
	end: number;
}

export interface WeeklySchedule {
	/** IANA name, e.g. Europe/Berlin. */
	timeZone: string;
	/** Per weekday its ranges; a day without ranges is closed. */
	days: Partial<Record<Weekday, TimeRange[]>>;
	/** `YYYY-MM-DD` local dates closed all day, 00:00 to 24:00 (also cuts a range from the day before). */
	closedDates?: string[];
}

export interface BusinessHoursAnswer {
	open: boolean;
	/** When closed, the next opening; null when open, or when it never opens (within a year). */
	opensAt: string | null;
	/** When open, the next closing; null when closed, or when it stays open for more than a year. */
	closesAt: string | null;
	timeZone: string;
}

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
/** How far ahead the next opening or closing is looked for: a year and a week. */
const HORIZON_DAYS = 373;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(timeZone);
	if (!formatter) {
		try {
			formatter = new Intl.DateTimeFormat('en-US', {
				timeZone,
				hourCycle: 'h23',
				year: 'numeric',
				month: 'numeric',
				day: 'numeric',
				hour: 'numeric',
				minute: 'numeric',
				second: 'numeric',
			});
		} catch {
			// RangeError: an unknown zone.
			formatter = undefined;
		}
		if (!formatter) throw new Error(`"${timeZone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`);
		formatters.set(timeZone, formatter);
	}
	return formatter;
}

/** Throws a clear error unless `timeZone` is an IANA time zone this runtime knows. */
export function requireTimeZone(timeZone: string): string {
	if (typeof timeZone !== 'string' || timeZone.trim() === '') throw new Error('The time zone is empty (e.g. Europe/Berlin)');
	formatterFor(timeZone.trim());
	return timeZone.trim();
}

/** The wall time at `instant` in the zone, as milliseconds of a UTC date with the same fields. */
function wallOf(instant: number, timeZone: string): number {
	const fields: Record<string, number> = {};
	for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
		if (part.type !== 'literal') fields[part.type] = Number(part.value);
	}
	const seconds = Math.floor(instant / 1000) * 1000;
	const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
	return wall + (instant - seconds);
}

function offsetAt(instant: number, timeZone: string): number {
	return wallOf(instant, timeZone) - instant;
}

/**
 * The instant a wall time happens. A wall time that happens twice (clocks set back) is its first
 * occurrence; one that never happens (clocks set forward) is moved forward by the gap, so an
 * opening at 02:30 on a spring-forward night opens at 03:30 (as Temporal's "compatible").
 */
function instantOf(wall: number, timeZone: string): number {
	const before = offsetAt(wall - DAY, timeZone);
	const after = offsetAt(wall + DAY, timeZone);
	const candidates = [wall - before, wall - after].filter((instant) => wallOf(instant, timeZone) === wall);
	return candidates.length ? Math.min(...candidates) : wall - before;
}

const RANGE = /^\s*(\d{1,2}):(\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}):(\d{2})\s*$/;

/**
 * `09:00-17:00` (also with "–" or "to"); `22:00-02:00` runs past midnight; `00:00-24:00` is the
 * whole day. Throws an error that quotes the text otherwise.
 */
export function parseTimeRange(text: string): TimeRange {
	const match = RANGE.exec(text);
	const invalid = (why: string) => new Error(`"${text.trim()}" is not a time range like 09:00-17:00: ${why}`);
	if (!match) throw invalid('write HH:MM-HH:MM');
	const [startHours, startMinutes, endHours, endMinutes] = match.slice(1).map(Number);
	if (startHours > 23 || startMinutes > 59) throw invalid(`${match[1]}:${match[2]} is no time of day`);
	if (endHours > 24 || endMinutes > 59 || (endHours === 24 && endMinutes > 0)) {
		throw invalid(`${match[3]}:${match[4]} is no time of day`);
	}
	const start = startHours * 60 + startMinutes;
	const end = endHours * 60 + endMinutes;
	if (start === end) throw invalid('it starts when it ends (the whole day is 00:00-24:00)');
	return { start, end };
}

/** Comma-separated ranges: `09:00-12:00, 13:00-17:00`; empty text is no range (closed). */
export function parseTimeRanges(text: string): TimeRange[] {
	return text
		.split(/[,;\n]/)
		.map((part) => part.trim())
		.filter((part) => part !== '')
		.map(parseTimeRange);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` date as the wall milliseconds of its midnight; throws on anything else. */
export function parseLocalDate(text: string): number {
	const match = DATE.exec(text.trim());
	const wall = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
	if (!match || new Date(wall).getUTCDate() !== Number(match[3]) || new Date(wall).getUTCMonth() !== Number(match[2]) - 1) {
		throw new Error(`"${text.trim()}" is not a date like 2026-12-24`);
	}
	return wall;
}

type Interval = [number, number];

/** Sorted, overlapping and touching intervals joined: 22:00-24:00 and 00:00-06:00 are one opening. */
function merged(intervals: Interval[]): Interval[] {
	const sorted = intervals.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
	const result: Interval[] = [];
	for (const [start, end] of sorted) {
		const last = result[result.length - 1];
		if (last && start <= last[1]) last[1] = Math.max(last[1], end);
		else result.push([start, end]);
	}
	return result;
}

function intersection(a: Interval[], b: Interval[]): Interval[] {
	const result: Interval[] = [];
	let i = 0;
	let j = 0;
	while (i < a.length && j < b.length) {
		const start = Math.max(a[i][0], b[j][0]);
		const end = Math.min(a[i][1], b[j][1]);
		if (end > start) result.push([start, end]);
		if (a[i][1] < b[j][1]) i++;
		else j++;
	}
	return result;
}

/** The opening intervals (UTC instants) of the schedule's ranges that start on wall days [from, to). */
function openingsOf(schedule: WeeklySchedule, fromDay: number, toDay: number): Interval[] {
	const closed = merged(
		(schedule.closedDates ?? []).map((date) => {
			const midnight = parseLocalDate(date);
			return [midnight, midnight + DAY] as Interval;
		}),
	);
	const wallIntervals: Interval[] = [];
	for (let day = fromDay; day < toDay; day += DAY) {
		const weekday = new Date(day).getUTCDay() as Weekday;
		for (const range of schedule.days[weekday] ?? []) {
			const end = range.end > range.start ? range.end : range.end + 1440;
			wallIntervals.push([day + range.start * MINUTE, day + end * MINUTE]);
		}
	}
	// Closed dates are cut in wall time, so they cover the local day whatever the offset.
	const open: Interval[] = [];
	for (const [start, end] of merged(wallIntervals)) {
		let cursor = start;
		for (const [closedStart, closedEnd] of closed) {
			if (closedEnd <= cursor || closedStart >= end) continue;
			if (closedStart > cursor) open.push([cursor, closedStart]);
			cursor = Math.max(cursor, closedEnd);
		}
		if (cursor < end) open.push([cursor, end]);
	}
	return merged(open.map(([start, end]) => [instantOf(start, schedule.timeZone), instantOf(end, schedule.timeZone)]));
}

/**
 * Whether the schedules are all open at `at`, and the next opening or closing. With several
 * schedules (the platform's hours and the node's own) it is open only when all of them are.
 */
export function evaluateBusinessHours(schedules: WeeklySchedule | WeeklySchedule[], at: Date = new Date()): BusinessHoursAnswer {
	const list = Array.isArray(schedules) ? schedules : [schedules];
	if (list.length === 0) throw new Error('No business hours to evaluate');
	const instant = at.getTime();
	if (!Number.isFinite(instant)) throw new Error('The instant to evaluate business hours at is not a valid date');
	const zoned = list.map((schedule) => ({ ...schedule, timeZone: requireTimeZone(schedule.timeZone) }));
	const horizon = instant + HORIZON_DAYS * DAY;

	let openings: Interval[] | undefined;
	for (const schedule of zoned) {
		const today = Math.floor(wallOf(instant, schedule.timeZone) / DAY) * DAY;
		// From the day before (a range past midnight may still be running) to beyond the horizon.
		const own = openingsOf(schedule, today - DAY, today + (HORIZON_DAYS + 2) * DAY);
		openings = openings === undefined ? own : intersection(openings, own);
	}
	const timeZone = zoned[0].timeZone;
	const current = openings!.find(([start, end]) => start <= instant && instant < end);
	if (current) {
		return { open: true, opensAt: null, closesAt: current[1] >= horizon ? null : iso(current[1]), timeZone };
	}
	const next = openings!.find(([start]) => start > instant && start < horizon);
	return { open: false, opensAt: next ? iso(next[0]) : null, closesAt: null, timeZone };
}

function iso(instant: number): string {
	return new Date(instant).toISOString();
}
