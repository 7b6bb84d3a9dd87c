import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { AgentAvailability, WeeklySchedule, Weekday } from '../../../shared';
import {
	AVAILABILITY_RETRY,
	availabilityAnswer,
	businessHoursParameter,
	businessHoursProperty,
	evaluateBusinessHours,
	isObject,
	locatorId,
	parseTimeRange,
	requireTimeZone,
	versionedId,
	WEEKDAY_NAMES,
} from '../../../shared';
import { segment, tiledeskApi, tiledeskProject } from '../../transport';

const properties: INodeProperties[] = [
	...versionedId(
		{
			displayName: 'Department Name or ID',
			name: 'departmentId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getDepartments' },
			default: '',
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			hint: "Only the agents of the department's group count. Empty: the default department.",
		},
		{
			displayName: 'Department',
			searchListMethod: 'searchDepartments',
			idPlaceholder: '65c5f4a89faf2d04cd7da5b1',
			idPattern: { regex: '^[0-9a-fA-F]{24}$', errorMessage: 'A Tiledesk ID has 24 hexadecimal characters' },
			required: false,
			hint: "Only the agents of the department's group count. Empty: the default department.",
		},
	),
	{
		displayName: 'Project Operating Hours',
		name: 'useOperatingHours',
		type: 'boolean',
		default: true,
		description:
			"Whether the project's operating hours (Settings › Operating hours in Tiledesk) apply: outside them Tiledesk routes to nobody",
	},
	businessHoursProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['agent'], operation: ['getAvailability'] } },
	properties,
);

/** A project user's user: an id, or the user document when populated. */
function userIdOf(user: unknown): string {
	if (isObject(user)) return String(user._id ?? user.id ?? '');
	return typeof user === 'string' ? user : '';
}

function nameOf(user: unknown, fallback: string): string {
	if (!isObject(user)) return fallback;
	const fullName = [user.firstname, user.lastname].filter((part) => typeof part === 'string' && part).join(' ');
	return fullName || String(user.email ?? fallback);
}

/**
 * How Tiledesk's dashboard tells agents apart: available (taking conversations), busy (at the max
 * of assigned chats: smart assignment skips them), or unavailable / the custom profile status.
 */
function agentOf(projectUser: IDataObject, listed: IDataObject | undefined): AgentAvailability {
	const id = userIdOf(projectUser.id_user);
	const available = projectUser.user_available === true;
	const busy = listed?.isBusy === true;
	const profileStatus = typeof projectUser.profileStatus === 'string' && projectUser.profileStatus ? projectUser.profileStatus : '';
	return {
		id,
		name: nameOf(listed?.id_user ?? projectUser.id_user, id),
		status: available ? (busy ? 'busy' : 'available') : profileStatus || 'unavailable',
		available: available && !busy,
	};
}

/**
 * The project's operating hours as services/operatingHoursService.js reads them: none apply unless
 * `activeOperatingHours`, nor when the trial is over or the subscription inactive (always open).
 */
export function operatingHoursOf(this: IExecuteFunctions, project: IDataObject, itemIndex: number): WeeklySchedule | undefined {
	const profile = isObject(project.profile) ? project.profile : {};
	const exempt =
		(profile.type === 'free' && project.trialExpired === true) || (profile.type === 'payment' && project.isActiveSubscription === false);
	if (exempt || project.activeOperatingHours !== true) return undefined;
	const broken = (why: string) =>
		new NodeOperationError(this.getNode(), `The Tiledesk project's operating hours can't be read: ${why}`, {
			itemIndex,
			description: 'Fix them in Tiledesk (Settings › Operating hours), or switch off "Project Operating Hours".',
		});
	let hours: unknown;
	try {
		hours = typeof project.operatingHours === 'string' ? JSON.parse(project.operatingHours) : project.operatingHours;
	} catch {
		throw broken('they are not JSON');
	}
	if (!isObject(hours) || Object.keys(hours).length === 0) throw broken('they are switched on but empty');
	let timeZone: string;
	try {
		timeZone = requireTimeZone(String(hours.tzname ?? ''));
	} catch (error) {
		throw broken((error as Error).message);
	}
	const days: WeeklySchedule['days'] = {};
	for (let weekday = 0 as Weekday; weekday <= 6; weekday = (weekday + 1) as Weekday) {
		const ranges = hours[String(weekday)];
		if (!Array.isArray(ranges)) continue;
		try {
			days[weekday] = ranges.map((range) => parseTimeRange(`${(range as IDataObject)?.start}-${(range as IDataObject)?.end}`));
		} catch (error) {
			throw broken(`${WEEKDAY_NAMES[weekday]}: ${(error as Error).message}`);
		}
	}
	return { timeZone, days };
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const chosen = locatorId.call(this, 'departmentId', itemIndex);
	const ownHours = businessHoursParameter.call(this, itemIndex);
	const useOperatingHours = this.getNodeParameter('useOperatingHours', itemIndex, true) as boolean;

	// The hours first: when Tiledesk's are broken, its routing (the operators route) fails too.
	const schedules: WeeklySchedule[] = [];
	if (useOperatingHours) {
		const { projectId } = await tiledeskProject(this);
		const project = await tiledeskApi.call(this, { call: 'get project', method: 'GET', path: `/projects/${segment(projectId)}`, itemIndex, retry: AVAILABILITY_RETRY });
		const projectHours = operatingHoursOf.call(this, project, itemIndex);
		if (projectHours) schedules.push(projectHours);
	}
	if (ownHours) schedules.push(ownHours);

	// The routing engine's own view (departmentService.getOperators): the department's group, or
	// every agent; `nobot` so a department bot does not stand in for the people.
	const operators = await tiledeskApi.call(this, {
		call: 'get department operators',
		method: 'GET',
		path: `departments/${segment(chosen || 'default')}/operators`,
		qs: { nobot: true, disableWebHookCall: true },
		itemIndex,
		retry: AVAILABILITY_RETRY,
	});
	// The list adds the names and `isBusy` (at the max of assigned chats).
	const listed = await tiledeskApi.call(this, { call: 'list agents', method: 'GET', path: 'project_users', itemIndex, retry: AVAILABILITY_RETRY });
	const byUser = new Map<string, IDataObject>();
	for (const projectUser of Array.isArray(listed) ? (listed as IDataObject[]) : []) {
		byUser.set(userIdOf(projectUser.id_user), projectUser);
	}
	const inScope = Array.isArray(operators.agents) ? (operators.agents as IDataObject[]) : [];
	const agents = inScope.filter((pu) => userIdOf(pu.id_user)).map((pu) => agentOf(pu, byUser.get(userIdOf(pu.id_user))));

	const department = isObject(operators.department) ? operators.department : undefined;
	const scope: IDataObject = {
		departmentId: department ? String(department._id ?? department.id ?? '') : chosen || null,
		departmentName: department && typeof department.name === 'string' ? department.name : null,
	};
	return availabilityAnswer(agents, scope, schedules.length ? evaluateBusinessHours(schedules) : undefined);
}
