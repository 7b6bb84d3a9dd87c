import type { TimeRange, WeeklySchedule } from '../../../nodes/shared/businessHours';
import {
	evaluateBusinessHours,
	parseLocalDate,
	parseTimeRange,
	parseTimeRanges,
	requireTimeZone,
} from '../../../nodes/shared/businessHours';

const range = (text: string): TimeRange => parseTimeRange(text);
const weekdays = (text: string): WeeklySchedule['days'] => ({ 1: [range(text)], 2: [range(text)], 3: [range(text)], 4: [range(text)], 5: [range(text)] });
const at = (iso: string) => new Date(iso);

describe('parseTimeRange', () => {
	it('reads HH:MM-HH:MM with "-", "–" or "to", and 24:00 as the end of the day', () => {
		expect(range('09:00-17:30')).toEqual({ start: 540, end: 1050 });
		expect(range(' 9:00 – 17:00 ')).toEqual({ start: 540, end: 1020 });
		expect(range('08:15 to 12:45')).toEqual({ start: 495, end: 765 });
		expect(range('00:00-24:00')).toEqual({ start: 0, end: 1440 });
		expect(range('22:00-02:00')).toEqual({ start: 1320, end: 120 });
	});

	it.each([
		['25:00-26:00', '25:00 is no time of day'],
		['09:00-24:30', '24:30 is no time of day'],
		['24:00-02:00', '24:00 is no time of day'],
		['09:60-17:00', '09:60 is no time of day'],
		['09:00-09:00', 'it starts when it ends'],
		['9-17', 'write HH:MM-HH:MM'],
		['', 'write HH:MM-HH:MM'],
	])('refuses %j, quoting it', (text, why) => {
		expect(() => range(text)).toThrow(`"${text.trim()}" is not a time range like 09:00-17:00: ${why}`);
	});

	it('reads several ranges separated by commas; empty text is closed', () => {
		expect(parseTimeRanges('09:00-12:00, 13:00-17:00')).toEqual([
			{ start: 540, end: 720 },
			{ start: 780, end: 1020 },
		]);
		expect(parseTimeRanges('  ')).toEqual([]);
		expect(() => parseTimeRanges('09:00-12:00, 13:00-25:00')).toThrow('"13:00-25:00"');
	});
});

describe('parseLocalDate and requireTimeZone', () => {
	it('reads YYYY-MM-DD and refuses dates that do not exist', () => {
		expect(parseLocalDate('2026-12-24')).toBe(Date.UTC(2026, 11, 24));
		expect(() => parseLocalDate('2026-02-30')).toThrow('"2026-02-30" is not a date like 2026-12-24');
		expect(() => parseLocalDate('24.12.2026')).toThrow('is not a date');
	});

	it('accepts IANA zones and names a wrong one clearly', () => {
		expect(requireTimeZone(' Europe/Berlin ')).toBe('Europe/Berlin');
		expect(requireTimeZone('UTC')).toBe('UTC');
		expect(() => requireTimeZone('Europe/Atlantis')).toThrow('"Europe/Atlantis" is not an IANA time zone');
		expect(() => requireTimeZone('')).toThrow('The time zone is empty');
		expect(() => evaluateBusinessHours({ timeZone: 'Mars/Olympus', days: weekdays('09:00-17:00') }, at('2026-03-02T10:00:00Z'))).toThrow(
			'"Mars/Olympus" is not an IANA time zone',
		);
	});
});

describe('evaluateBusinessHours', () => {
	const office = (timeZone: string, extra: Partial<WeeklySchedule> = {}): WeeklySchedule => ({
		timeZone,
		days: weekdays('09:00-17:00'),
		...extra,
	});

	it('is open from the start (inclusive) to the end (exclusive) of a range', () => {
		// Monday 2026-03-02, Berlin is UTC+1.
		expect(evaluateBusinessHours(office('Europe/Berlin'), at('2026-03-02T08:00:00Z'))).toEqual({
			open: true,
			opensAt: null,
			closesAt: '2026-03-02T16:00:00.000Z',
			timeZone: 'Europe/Berlin',
		});
		expect(evaluateBusinessHours(office('Europe/Berlin'), at('2026-03-02T07:59:59Z'))).toMatchObject({
			open: false,
			opensAt: '2026-03-02T08:00:00.000Z',
		});
		expect(evaluateBusinessHours(office('Europe/Berlin'), at('2026-03-02T16:00:00Z'))).toMatchObject({
			open: false,
			opensAt: '2026-03-03T08:00:00.000Z',
			closesAt: null,
		});
	});

	describe('Europe/Berlin daylight saving time', () => {
		it('opens on Monday at 09:00 summer time after a Friday evening in winter time', () => {
			// Clocks go forward on Sunday 2026-03-29 (02:00 CET → 03:00 CEST).
			const answer = evaluateBusinessHours(office('Europe/Berlin'), at('2026-03-27T17:00:00Z'));
			expect(answer).toEqual({ open: false, opensAt: '2026-03-30T07:00:00.000Z', closesAt: null, timeZone: 'Europe/Berlin' });
		});

		it('counts a range across the spring-forward gap in real time (01:00-04:00 is two hours)', () => {
			const schedule: WeeklySchedule = { timeZone: 'Europe/Berlin', days: { 0: [range('01:00-04:00')] } };
			expect(evaluateBusinessHours(schedule, at('2026-03-29T00:30:00Z'))).toMatchObject({
				open: true,
				closesAt: '2026-03-29T02:00:00.000Z',
			});
			expect(evaluateBusinessHours(schedule, at('2026-03-28T23:00:00Z'))).toMatchObject({
				open: false,
				opensAt: '2026-03-29T00:00:00.000Z',
			});
		});

		it('opens a range that starts in the gap when the clocks have gone forward past it (02:30 → 03:30)', () => {
			const schedule: WeeklySchedule = { timeZone: 'Europe/Berlin', days: { 0: [range('02:30-05:00')] } };
			expect(evaluateBusinessHours(schedule, at('2026-03-29T00:00:00Z'))).toMatchObject({
				open: false,
				opensAt: '2026-03-29T01:30:00.000Z',
			});
		});

		it('counts the repeated hour on the fall-back night (00:00-04:00 is five hours)', () => {
			// Clocks go back on Sunday 2026-10-25 (03:00 CEST → 02:00 CET).
			const schedule: WeeklySchedule = { timeZone: 'Europe/Berlin', days: { 0: [range('00:00-04:00')] } };
			expect(evaluateBusinessHours(schedule, at('2026-10-24T22:00:00Z'))).toMatchObject({
				open: true,
				closesAt: '2026-10-25T03:00:00.000Z',
			});
			expect(evaluateBusinessHours(schedule, at('2026-10-25T02:59:00Z')).open).toBe(true);
		});

		it('opens at the first of two 02:30s on the fall-back night', () => {
			const schedule: WeeklySchedule = { timeZone: 'Europe/Berlin', days: { 0: [range('02:30-06:00')] } };
			expect(evaluateBusinessHours(schedule, at('2026-10-24T23:00:00Z'))).toMatchObject({
				opensAt: '2026-10-25T00:30:00.000Z',
			});
		});

		it('opens on Monday at 09:00 winter time after a Friday in summer time', () => {
			expect(evaluateBusinessHours(office('Europe/Berlin'), at('2026-10-23T16:00:00Z'))).toMatchObject({
				open: false,
				opensAt: '2026-10-26T08:00:00.000Z',
			});
		});
	});

	describe('America/New_York daylight saving time', () => {
		it('opens on Monday at 09:00 EDT after a Friday in EST', () => {
			// Clocks go forward on Sunday 2026-03-08 (02:00 EST → 03:00 EDT).
			expect(evaluateBusinessHours(office('America/New_York'), at('2026-03-06T22:30:00Z'))).toEqual({
				open: false,
				opensAt: '2026-03-09T13:00:00.000Z',
				closesAt: null,
				timeZone: 'America/New_York',
			});
		});

		it('opens on Monday at 09:00 EST after a Friday in EDT, and closes at 17:00 EST', () => {
			// Clocks go back on Sunday 2026-11-01 (02:00 EDT → 01:00 EST).
			expect(evaluateBusinessHours(office('America/New_York'), at('2026-10-30T22:00:00Z'))).toMatchObject({
				opensAt: '2026-11-02T14:00:00.000Z',
			});
			expect(evaluateBusinessHours(office('America/New_York'), at('2026-11-02T15:00:00Z'))).toMatchObject({
				open: true,
				closesAt: '2026-11-02T22:00:00.000Z',
			});
		});

		it('keeps a night shift over the fall-back night open for its real length', () => {
			const schedule: WeeklySchedule = { timeZone: 'America/New_York', days: { 6: [range('22:00-06:00')] } };
			// Saturday 2026-10-31 22:00 EDT = 02:00Z; Sunday 06:00 EST = 11:00Z.
			expect(evaluateBusinessHours(schedule, at('2026-11-01T05:30:00Z'))).toMatchObject({
				open: true,
				closesAt: '2026-11-01T11:00:00.000Z',
			});
		});
	});

	describe('ranges past midnight', () => {
		const nights: WeeklySchedule = { timeZone: 'UTC', days: { 5: [range('22:00-02:00')] } };

		it('is open after midnight on the next day, until the end of the range', () => {
			// Friday 2026-03-06 → Saturday 2026-03-07.
			expect(evaluateBusinessHours(nights, at('2026-03-07T01:00:00Z'))).toMatchObject({
				open: true,
				closesAt: '2026-03-07T02:00:00.000Z',
			});
			expect(evaluateBusinessHours(nights, at('2026-03-07T02:00:00Z'))).toMatchObject({
				open: false,
				opensAt: '2026-03-13T22:00:00.000Z',
			});
			expect(evaluateBusinessHours(nights, at('2026-03-06T21:00:00Z'))).toMatchObject({
				open: false,
				opensAt: '2026-03-06T22:00:00.000Z',
			});
		});

		it('joins ranges that meet at midnight into one opening', () => {
			const schedule: WeeklySchedule = { timeZone: 'UTC', days: { 1: [range('20:00-24:00')], 2: [range('00:00-06:00')] } };
			expect(evaluateBusinessHours(schedule, at('2026-03-02T23:00:00Z'))).toMatchObject({
				open: true,
				closesAt: '2026-03-03T06:00:00.000Z',
			});
		});

		it('joins a past-midnight range with the next morning range', () => {
			const schedule: WeeklySchedule = { timeZone: 'UTC', days: { 1: [range('22:00-02:00')], 2: [range('02:00-05:00')] } };
			expect(evaluateBusinessHours(schedule, at('2026-03-02T23:00:00Z')).closesAt).toBe('2026-03-03T05:00:00.000Z');
		});
	});

	describe('closed dates', () => {
		it('skips a holiday when looking for the next opening', () => {
			// Wednesday 2026-12-23 evening; Thursday 24th closed → Friday 25th.
			const schedule = office('Europe/Berlin', { closedDates: ['2026-12-24'] });
			expect(evaluateBusinessHours(schedule, at('2026-12-23T17:00:00Z'))).toMatchObject({
				open: false,
				opensAt: '2026-12-25T08:00:00.000Z',
			});
			expect(evaluateBusinessHours(schedule, at('2026-12-24T10:00:00Z')).open).toBe(false);
		});

		it('closes the holiday from its local midnight, also cutting a range from the evening before', () => {
			const schedule: WeeklySchedule = { timeZone: 'Europe/Berlin', days: { 3: [range('20:00-04:00')] }, closedDates: ['2026-12-24'] };
			// Wednesday 23rd 23:00 CET = 22:00Z: open until Thursday 00:00 CET = 23:00Z.
			expect(evaluateBusinessHours(schedule, at('2026-12-23T22:00:00Z'))).toMatchObject({
				open: true,
				closesAt: '2026-12-23T23:00:00.000Z',
			});
			expect(evaluateBusinessHours(schedule, at('2026-12-24T01:00:00Z')).open).toBe(false);
		});

		it('closes an always-open schedule on its holiday', () => {
			const always: WeeklySchedule['days'] = Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((d) => [d, [range('00:00-24:00')]]));
			expect(evaluateBusinessHours({ timeZone: 'UTC', days: always }, at('2026-03-02T10:00:00Z'))).toEqual({
				open: true,
				opensAt: null,
				closesAt: null,
				timeZone: 'UTC',
			});
			expect(evaluateBusinessHours({ timeZone: 'UTC', days: always, closedDates: ['2026-05-01'] }, at('2026-04-30T10:00:00Z'))).toMatchObject({
				open: true,
				closesAt: '2026-05-01T00:00:00.000Z',
			});
			expect(evaluateBusinessHours({ timeZone: 'UTC', days: always, closedDates: ['2026-05-01'] }, at('2026-05-01T10:00:00Z'))).toMatchObject({
				open: false,
				opensAt: '2026-05-02T00:00:00.000Z',
			});
		});

		it('refuses a closed date that is no date', () => {
			expect(() => evaluateBusinessHours(office('UTC', { closedDates: ['2026-13-01'] }), at('2026-03-02T10:00:00Z'))).toThrow(
				'"2026-13-01" is not a date',
			);
		});
	});

	it('never opens without any range', () => {
		expect(evaluateBusinessHours({ timeZone: 'Europe/Berlin', days: {} }, at('2026-03-02T10:00:00Z'))).toEqual({
			open: false,
			opensAt: null,
			closesAt: null,
			timeZone: 'Europe/Berlin',
		});
		expect(evaluateBusinessHours({ timeZone: 'UTC', days: { 1: [], 2: [] } }, at('2026-03-02T10:00:00Z')).opensAt).toBeNull();
	});

	it('is open only when every schedule is, and answers the first common opening', () => {
		const own = office('Europe/Berlin');
		const platform: WeeklySchedule = { timeZone: 'America/New_York', days: weekdays('06:00-14:00') };
		// Monday 2026-03-02: Berlin 09-17 = 08-16Z; New York (EST) 06-14 = 11-19Z → both 11-16Z.
		expect(evaluateBusinessHours([own, platform], at('2026-03-02T09:00:00Z'))).toEqual({
			open: false,
			opensAt: '2026-03-02T11:00:00.000Z',
			closesAt: null,
			timeZone: 'Europe/Berlin',
		});
		expect(evaluateBusinessHours([own, platform], at('2026-03-02T12:00:00Z'))).toMatchObject({
			open: true,
			closesAt: '2026-03-02T16:00:00.000Z',
		});
		expect(evaluateBusinessHours([own, { timeZone: 'UTC', days: {} }], at('2026-03-02T12:00:00Z')).opensAt).toBeNull();
	});

	it('refuses an instant that is no date', () => {
		expect(() => evaluateBusinessHours(office('UTC'), new Date('nope'))).toThrow('not a valid date');
	});
});
