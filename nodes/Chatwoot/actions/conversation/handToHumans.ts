import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { agentLocator, assign, conversationIdField, conversationIdOf, optionalLocatorId, setStatus, teamLocator } from '../common';

const properties: INodeProperties[] = [
	{
		displayName:
			"Sets the conversation open: it leaves the bot's Pending list for the agents. With a user token of an agent (not an administrator), Chatwoot also assigns it to that user.",
		name: 'handToHumansNotice',
		type: 'notice',
		default: '',
	},
	conversationIdField,
	teamLocator({ description: 'Optional: the team that gets it' }),
	agentLocator({ description: 'Optional: the agent that gets it' }),
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['handToHumans'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	const teamId = optionalLocatorId.call(this, 'teamId', 'Team', itemIndex);
	const agentId = optionalLocatorId.call(this, 'agentId', 'Agent', itemIndex);
	// Team and agent first: the agents are told of an open conversation that already has its owner.
	const team = teamId ? await assign.call(this, conversationId, { team_id: Number(teamId) }, itemIndex) : null;
	const assignee = agentId ? await assign.call(this, conversationId, { assignee_id: Number(agentId) }, itemIndex) : null;
	const status = await setStatus.call(this, conversationId, 'open', itemIndex);
	return { conversationId, status: status.current_status ?? 'open', team, assignee };
}
