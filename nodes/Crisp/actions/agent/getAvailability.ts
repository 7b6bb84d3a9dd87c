import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { AgentAvailability } from '../../../shared';
import {
	AVAILABILITY_RETRY,
	availabilityAnswer,
	businessHoursParameter,
	businessHoursProperty,
	evaluateBusinessHours,
	isObject,
	textOf,
} from '../../../shared';
import { crispApi, crispList, segment } from '../../transport';
import { inboxLocator, locatorUuid, websiteIdField, websiteIdOf } from '../common';

const properties: INodeProperties[] = [
	websiteIdField,
	inboxLocator({ description: "Only the inbox's operators count. Empty: all operators of the website." }),
	businessHoursProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['agent'], operation: ['getAvailability'] } },
	properties,
);

/** The operators list's `details.availability`: online, away or offline; only online counts. */
const ONLINE = 'online';

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const inboxId = locatorUuid.call(this, 'inboxId', 'Inbox', itemIndex, false);
	const hours = businessHoursParameter.call(this, itemIndex);

	let members: Set<string> | undefined;
	let inboxName: string | null = null;
	if (inboxId) {
		const inbox = await crispApi.call(this, {
			call: 'get inbox',
			method: 'GET',
			path: `inbox/${segment(inboxId)}`,
			websiteId,
			itemIndex,
			retry: AVAILABILITY_RETRY,
		});
		inboxName = textOf(inbox.name) || null;
		const operators = Array.isArray(inbox.operators) ? inbox.operators.map(textOf).filter(Boolean) : [];
		// UNCONFIRMED: an inbox without operators is taken as open to all of them.
		if (operators.length) members = new Set(operators);
	}
	const listed = await crispList.call(this, {
		call: 'list operators',
		method: 'GET',
		path: 'operators/list',
		websiteId,
		itemIndex,
		retry: AVAILABILITY_RETRY,
	});
	const agents: AgentAvailability[] = listed
		.map((entry) => (isObject(entry.details) ? entry.details : entry))
		.filter((details) => textOf(details.user_id) !== '')
		.filter((details) => !members || members.has(textOf(details.user_id)))
		.map((details) => {
			const id = textOf(details.user_id);
			const name = [textOf(details.first_name), textOf(details.last_name)].filter(Boolean).join(' ') || textOf(details.email) || id;
			const status = textOf(details.availability) || 'unknown';
			return { id, name, status, available: status === ONLINE };
		});
	return availabilityAnswer(agents, { websiteId, inboxId: inboxId || null, inboxName }, hours ? evaluateBusinessHours(hours) : undefined);
}
