import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { idDropdown, locatorId, versionedId } from '../../../shared';
import { botParticipantId } from '../common';

/** Who joins or leaves: an agent (user ID) or a bot (bot_<ID>). */
export const participantFields: INodeProperties[] = [
	{
		displayName: 'Participant Type',
		name: 'participantType',
		type: 'options',
		options: [
			{ name: 'Agent', value: 'agent' },
			{ name: 'Bot', value: 'bot' },
		],
		default: 'agent',
	},
	...versionedId(
		idDropdown('Agent Name or ID', 'agentId', 'getAgents', { displayOptions: { show: { participantType: ['agent'] } } }),
		{ displayName: 'Agent', searchListMethod: 'searchAgents', idPlaceholder: '65c5f4a89faf2d04cd7da5b1', description: "The agent's Tiledesk user ID" },
	),
	{
		displayName: 'Bot ID',
		name: 'botId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: { participantType: ['bot'] } },
		description: 'Tiledesk bot ID (bot_ is added when missing)',
	},
];

export function participantId(this: IExecuteFunctions, itemIndex: number): string {
	const type = this.getNodeParameter('participantType', itemIndex, 'agent') as 'agent' | 'bot';
	const raw = type === 'bot' ? String(this.getNodeParameter('botId', itemIndex, '')).trim() : locatorId.call(this, 'agentId', itemIndex);
	if (raw === '' || raw === 'bot_') {
		throw new NodeOperationError(this.getNode(), `"${type === 'bot' ? 'Bot ID' : 'Agent'}" is empty`, { itemIndex });
	}
	return type === 'bot' ? botParticipantId(raw) : raw;
}
