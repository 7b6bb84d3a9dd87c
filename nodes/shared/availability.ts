import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BusinessHoursAnswer, TimeRange, Weekday, WeeklySchedule } from './businessHours';
import { WEEKDAY_NAMES, parseLocalDate, parseTimeRanges, requireTimeZone } from './businessHours';
import type { RetryPolicy } from './request';

// The Business Hours parameter block the availability operations share, and their one answer shape.

// ---------------------------------------------------------------- the node parameter

/** Monday first, as people read a week; values are the Weekday numbers. */
const WEEK: Array<{ name: string; weekday: Weekday }> = [1, 2, 3, 4, 5, 6, 0].map((weekday) => ({
	name: WEEKDAY_NAMES[weekday].toLowerCase(),
	weekday: weekday as Weekday,
}));

function dayField(weekday: Weekday): INodeProperties {
	return {
		displayName: WEEKDAY_NAMES[weekday],
		name: WEEKDAY_NAMES[weekday].toLowerCase(),
		type: 'string',
		default: '',
		placeholder: '09:00-12:00, 13:00-17:00',
		description:
			'Opening hours as HH:MM-HH:MM, several separated by commas; 22:00-02:00 runs past midnight, 00:00-24:00 is the whole day. Empty: closed.',
	};
}

/**
 * "Business Hours": the node's own opening hours, for the availability operations. Out of them
 * nobody counts as available, whatever the agents' statuses say.
 */
export const businessHoursProperty: INodeProperties = {
	displayName: 'Business Hours',
	name: 'businessHours',
	type: 'fixedCollection',
	placeholder: 'Add Business Hours',
	default: {},
	description:
		'Your own opening hours. Outside them the answer is "not available" with the next opening in opensAt, whatever the agents\' statuses are.',
	options: [
		{
			displayName: 'Schedule',
			name: 'schedule',
			values: [
				{
					displayName: 'Time Zone',
					name: 'timeZone',
					type: 'string',
					default: '',
					placeholder: 'Europe/Berlin',
					description: "An IANA time zone. Empty: the workflow's time zone.",
				},
				...WEEK.map(({ weekday }) => (weekday >= 1 && weekday <= 5 ? { ...dayField(weekday), default: '09:00-17:00' } : dayField(weekday))),
				{
					displayName: 'Closed Dates',
					name: 'closedDates',
					type: 'string',
					default: '',
					placeholder: '2026-12-24, 2026-12-25',
					description: 'Holidays as YYYY-MM-DD, separated by commas: closed the whole day',
				},
			],
		},
	],
};

/** The schedule of the "Business Hours" parameter, or undefined when it is not set. */
export function businessHoursParameter(this: IExecuteFunctions, itemIndex: number): WeeklySchedule | undefined {
	const collection = this.getNodeParameter('businessHours', itemIndex, {}) as IDataObject;
	const values = collection?.schedule as IDataObject | undefined;
	if (!values || typeof values !== 'object') return undefined;
	const invalid = (label: string, error: unknown) =>
		new NodeOperationError(this.getNode(), `"Business Hours › ${label}": ${(error as Error).message}`, { itemIndex });

	const zoneText = String(values.timeZone ?? '').trim();
	let timeZone: string;
	try {
		timeZone = requireTimeZone(zoneText || this.getTimezone());
	} catch (error) {
		throw invalid('Time Zone', error);
	}
	const days: Partial<Record<Weekday, TimeRange[]>> = {};
	for (const { name, weekday } of WEEK) {
		try {
			days[weekday] = parseTimeRanges(String(values[name] ?? ''));
		} catch (error) {
			throw invalid(WEEKDAY_NAMES[weekday], error);
		}
	}
	if (Object.values(days).every((ranges) => ranges!.length === 0)) {
		throw new NodeOperationError(this.getNode(), '"Business Hours" opens on no day', {
			itemIndex,
			description: 'Give at least one weekday hours like 09:00-17:00, or remove the Business Hours.',
		});
	}
	const closedDates = String(values.closedDates ?? '')
		.split(/[,;\s]+/)
		.filter((date) => date !== '');
	for (const date of closedDates) {
		try {
			parseLocalDate(date);
		} catch (error) {
			throw invalid('Closed Dates', error);
		}
	}
	return { timeZone, days, closedDates };
}

// ---------------------------------------------------------------- the availability answer

/**
 * A customer waits for the answer: a few quick retries of a 5xx or dropped connection, then the
 * error, instead of the default minute.
 */
export const AVAILABILITY_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 300, maxDelayMs: 2_000, maxTotalMs: 8_000 };

export interface AgentAvailability {
	id: string;
	name: string;
	/** The platform's own word for it (accepting_chats, online, available, busy…). */
	status: string;
	/** Whether this agent would take a new conversation now (hours aside). */
	available: boolean;
}

/**
 * The one output item of every "Get Availability" operation: `available` only when the hours (if
 * any apply) are open and someone takes conversations; `agents` lists everyone in scope.
 */
export function availabilityAnswer(
	agents: AgentAvailability[],
	scope: IDataObject,
	hours: BusinessHoursAnswer | undefined,
): IDataObject {
	const agentsAvailable = agents.filter((agent) => agent.available).length;
	const answer: IDataObject = {
		available: (hours?.open ?? true) && agentsAvailable > 0,
		agentsAvailable,
		agents: agents.map(({ id, name, status }) => ({ id, name, status })),
		...scope,
	};
	if (hours) Object.assign(answer, hours);
	return answer;
}
