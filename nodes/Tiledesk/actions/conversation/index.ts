import type { INodeProperties } from 'n8n-workflow';

import * as addParticipant from './addParticipant';
import * as close from './close';
import * as get from './get';
import * as getMany from './getMany';
import * as moveToDepartment from './moveToDepartment';
import * as removeParticipant from './removeParticipant';
import * as reopen from './reopen';
import * as routeToAgents from './routeToAgents';
import * as updateAttributes from './updateAttributes';

export const operations = {
	addParticipant,
	close,
	get,
	getMany,
	moveToDepartment,
	removeParticipant,
	reopen,
	routeToAgents,
	updateAttributes,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{
				name: 'Add Participant',
				value: 'addParticipant',
				description: 'Add an agent or a bot to the conversation',
				action: 'Add a participant to a conversation',
			},
			{
				name: 'Close',
				value: 'close',
				description: 'Close the conversation (it can be reopened)',
				action: 'Close a conversation',
			},
			{ name: 'Get', value: 'get', description: 'Get a conversation', action: 'Get a conversation' },
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List conversations',
				action: 'Get many conversations',
			},
			{
				name: 'Move to Department',
				value: 'moveToDepartment',
				description: 'Route the conversation to another department',
				action: 'Move a conversation to a department',
			},
			{
				name: 'Remove Participant',
				value: 'removeParticipant',
				description: 'Remove an agent or a bot from the conversation',
				action: 'Remove a participant from a conversation',
			},
			{
				name: 'Reopen',
				value: 'reopen',
				description: 'Reopen a closed conversation',
				action: 'Reopen a conversation',
			},
			{
				name: 'Route to Agents',
				value: 'routeToAgents',
				description: 'Hand the conversation to a human agent (human handoff)',
				action: 'Route a conversation to agents',
			},
			{
				name: 'Update Attributes',
				value: 'updateAttributes',
				description: 'Merge custom attributes into the conversation',
				action: 'Update conversation attributes',
			},
		],
		default: 'routeToAgents',
	},
	...routeToAgents.description,
	...moveToDepartment.description,
	...addParticipant.description,
	...removeParticipant.description,
	...close.description,
	...reopen.description,
	...updateAttributes.description,
	...get.description,
	...getMany.description,
];
