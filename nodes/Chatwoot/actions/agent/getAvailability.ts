import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { AgentAvailability, TimeRange, WeeklySchedule, Weekday } from '../../../shared';
import {
	AVAILABILITY_RETRY,
	availabilityAnswer,
	businessHoursParameter,
	businessHoursProperty,
	evaluateBusinessHours,
	isObject,
	requireTimeZone,
	textOf,
} from '../../../shared';
import { chatwootRequest, listOf, segment } from '../../transport';
import { inboxLocator, optionalLocatorId, teamLocator } from '../common';

const properties: INodeProperties[] = [
	teamLocator({ description: "Only the team's agents count. Empty: any team." }),
	inboxLocator({ required: false, description: "Only the agents of the inbox count, and its business hours apply. Empty: any inbox." }),
	{
		displayName: 'Inbox Business Hours',
		name: 'useWorkingHours',
		type: 'boolean',
		default: true,
		description:
			"Whether the inbox's business hours (Settings › Inboxes › Business Hours in Chatwoot) apply when they are switched on there",
	},
	businessHoursProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['agent'], operation: ['getAvailability'] } },
	properties,
);

/** `availability_status` (AvailabilityStatusable): offline without an online presence, else online or busy. */
const ONLINE = 'online';

async function listAt(this: IExecuteFunctions, call: string, path: string, itemIndex: number): Promise<unknown> {
	return (await chatwootRequest.call(this, { call, method: 'GET', path, itemIndex, retry: AVAILABILITY_RETRY })).body;
}

const pad = (value: unknown) => String(Number(value) || 0).padStart(2, '0');

/**
 * An inbox's `working_hours` (out_of_offisable.rb weekly_schedule: `day_of_week` 0 = Sunday,
 * `closed_all_day`, `open_all_day`, open and close hour and minutes) in its `timezone`.
 */
export function workingHoursOf(this: IExecuteFunctions, inbox: IDataObject, itemIndex: number): WeeklySchedule | undefined {
	if (inbox.working_hours_enabled !== true) return undefined;
	const broken = (why: string) =>
		new NodeOperationError(this.getNode(), `The Chatwoot inbox's business hours can't be read: ${why}`, {
			itemIndex,
			description: 'Check them in Chatwoot (Settings › Inboxes › Business Hours), or switch off "Inbox Business Hours".',
		});
	let timeZone: string;
	try {
		timeZone = requireTimeZone(textOf(inbox.timezone) || 'UTC');
	} catch (error) {
		throw broken((error as Error).message);
	}
	const days: WeeklySchedule['days'] = {};
	for (const entry of Array.isArray(inbox.working_hours) ? inbox.working_hours : []) {
		if (!isObject(entry)) continue;
		const day = Number(entry.day_of_week);
		if (!Number.isInteger(day) || day < 0 || day > 6 || entry.closed_all_day === true) continue;
		let range: TimeRange;
		if (entry.open_all_day === true) {
			range = { start: 0, end: 1440 };
		} else {
			const start = Number(entry.open_hour) * 60 + Number(entry.open_minutes ?? 0);
			// working_hour.rb open_at? is `between?` (both ends inclusive); the closing instant itself is left out here.
			const end = Number(entry.close_hour) * 60 + Number(entry.close_minutes ?? 0);
			if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start || end > 1440) {
				throw broken(`day ${day}: ${pad(entry.open_hour)}:${pad(entry.open_minutes)}-${pad(entry.close_hour)}:${pad(entry.close_minutes)}`);
			}
			range = { start, end };
		}
		days[day as Weekday] = [range];
	}
	return { timeZone, days };
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const teamId = optionalLocatorId.call(this, 'teamId', 'Team', itemIndex);
	const inboxId = optionalLocatorId.call(this, 'inboxId', 'Inbox', itemIndex);
	const useWorkingHours = this.getNodeParameter('useWorkingHours', itemIndex, true) as boolean;
	const ownHours = businessHoursParameter.call(this, itemIndex);

	const schedules: WeeklySchedule[] = [];
	let inScope: Set<string> | undefined;
	let inboxName: string | null = null;
	if (inboxId) {
		const inbox = await listAt.call(this, 'get inbox', `inboxes/${segment(inboxId)}`, itemIndex);
		inboxName = isObject(inbox) ? textOf(inbox.name) || null : null;
		if (useWorkingHours && isObject(inbox)) {
			const inboxHours = workingHoursOf.call(this, inbox, itemIndex);
			if (inboxHours) schedules.push(inboxHours);
		}
		const members = listOf(await listAt.call(this, 'list inbox members', `inbox_members/${segment(inboxId)}`, itemIndex));
		inScope = new Set(members.map((m) => textOf(m.id ?? m.user_id)).filter(Boolean));
	}
	if (ownHours) schedules.push(ownHours);
	if (teamId) {
		const members = listOf(await listAt.call(this, 'list team members', `teams/${segment(teamId)}/team_members`, itemIndex));
		const team = new Set(members.map((m) => textOf(m.id)).filter(Boolean));
		inScope = inScope ? new Set([...inScope].filter((id) => team.has(id))) : team;
	}
	const agents: AgentAvailability[] = listOf(await listAt.call(this, 'list agents', 'agents', itemIndex))
		.filter((agent) => textOf(agent.id) !== '' && (!inScope || inScope.has(textOf(agent.id))))
		.map((agent) => {
			const status = textOf(agent.availability_status) || 'offline';
			return {
				id: textOf(agent.id),
				name: textOf(agent.available_name) || textOf(agent.name) || textOf(agent.email),
				status,
				available: status === ONLINE,
			};
		});
	return availabilityAnswer(
		agents,
		{ teamId: teamId ? Number(teamId) : null, inboxId: inboxId ? Number(inboxId) : null, inboxName },
		schedules.length ? evaluateBusinessHours(schedules) : undefined,
	);
}
