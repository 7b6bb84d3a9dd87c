import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { AgentAvailability } from '../../../shared';
import {
	AVAILABILITY_RETRY,
	availabilityAnswer,
	businessHoursParameter,
	businessHoursProperty,
	evaluateBusinessHours,
	locatorId,
} from '../../../shared';
import { liveChatApi } from '../../transport';
import { groupFields } from '../common';

const properties: INodeProperties[] = [
	...groupFields({ required: false, hint: 'Only the agents of this group count. Empty: all agents.' }),
	businessHoursProperty,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['agent'], operation: ['getAvailability'] } },
	properties,
);

/** Agent Chat API routing statuses: only `accepting_chats` gets chats routed. */
const ACCEPTING = 'accepting_chats';

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const group = locatorId.call(this, 'groupId', itemIndex);
	if (group !== '' && !/^\d+$/.test(group)) {
		throw new NodeOperationError(this.getNode(), `"Group" must be a LiveChat group ID (an integer, 0 is General), got "${group}"`, {
			itemIndex,
		});
	}
	const hours = businessHoursParameter.call(this, itemIndex);

	const statuses = (await liveChatApi.call(this, {
		api: 'agent',
		action: 'list_routing_statuses',
		call: 'list routing statuses',
		body: group === '' ? {} : { filters: { group_ids: [Number(group)] } },
		itemIndex,
		retry: AVAILABILITY_RETRY,
	})) as unknown;
	// The people and their names: the Configuration API's agents (routing statuses carry only the ID).
	const listed = (await liveChatApi.call(this, {
		api: 'configuration',
		action: 'list_agents',
		call: 'list agents',
		body: {},
		itemIndex,
		retry: AVAILABILITY_RETRY,
	})) as unknown;
	const names = new Map<string, string>();
	for (const agent of Array.isArray(listed) ? (listed as IDataObject[]) : []) {
		if (typeof agent.id === 'string') names.set(agent.id, typeof agent.name === 'string' && agent.name ? agent.name : agent.id);
	}
	const agents: AgentAvailability[] = (Array.isArray(statuses) ? (statuses as IDataObject[]) : [])
		.filter((entry) => typeof entry.agent_id === 'string')
		// Bots have routing statuses too (IDs of 32 hex digits, people's are e-mails): they are no one to hand over to.
		.filter((entry) => names.has(entry.agent_id as string) || (entry.agent_id as string).includes('@'))
		.map((entry) => {
			const id = entry.agent_id as string;
			const status = typeof entry.status === 'string' ? entry.status : 'unknown';
			return { id, name: names.get(id) ?? id, status, available: status === ACCEPTING };
		});
	return availabilityAnswer(agents, { groupId: group === '' ? null : Number(group) }, hours ? evaluateBusinessHours(hours) : undefined);
}
