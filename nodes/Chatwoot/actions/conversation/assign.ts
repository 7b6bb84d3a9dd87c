import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { agentLocator, assign, conversationIdField, conversationIdOf, requiredLocatorId, teamLocator } from '../common';

const properties: INodeProperties[] = [
	conversationIdField,
	{
		displayName: 'Assign To',
		name: 'assignTo',
		type: 'options',
		options: [
			{ name: 'Agent', value: 'agent' },
			{ name: 'Team', value: 'team' },
			{ name: 'Nobody (Unassign the Agent)', value: 'nobody' },
		],
		default: 'agent',
	},
	agentLocator({ required: true, displayOptions: { show: { assignTo: ['agent'] } } }),
	teamLocator({ required: true, displayOptions: { show: { assignTo: ['team'] } } }),
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['assign'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	const to = this.getNodeParameter('assignTo', itemIndex, 'agent') as string;
	if (to === 'team') {
		const teamId = requiredLocatorId.call(this, 'teamId', 'Team', itemIndex);
		return { conversationId, team: await assign.call(this, conversationId, { team_id: Number(teamId) }, itemIndex) };
	}
	if (to === 'nobody') {
		await assign.call(this, conversationId, { assignee_id: null }, itemIndex);
		return { conversationId, assignee: null };
	}
	const agentId = requiredLocatorId.call(this, 'agentId', 'Agent', itemIndex);
	return { conversationId, assignee: await assign.call(this, conversationId, { assignee_id: Number(agentId) }, itemIndex) };
}
