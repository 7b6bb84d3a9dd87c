import type { INodeProperties } from 'n8n-workflow';

import * as assign from './assign';
import * as backToBot from './backToBot';
import * as create from './create';
import * as get from './get';
import * as getMany from './getMany';
import * as getOwner from './getOwner';
import * as handToHumans from './handToHumans';
import * as reopen from './reopen';
import * as resolve from './resolve';
import * as updateAttributes from './updateAttributes';

export const operations = { assign, backToBot, create, get, getMany, getOwner, handToHumans, reopen, resolve, updateAttributes };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{ name: 'Assign', value: 'assign', description: 'Assign an agent or a team, or unassign the agent', action: 'Assign a conversation' },
			{
				name: 'Back to the Bot',
				value: 'backToBot',
				description: 'Set it pending again (the bot\'s), optionally unassigning the agent',
				action: 'Give a conversation back to the bot',
			},
			{
				name: 'Create',
				value: 'create',
				description: 'Open a conversation for a contact in an inbox, pending (the bot\'s) or open, with the bot history',
				action: 'Create a conversation',
			},
			{ name: 'Get', value: 'get', description: 'Get a conversation', action: 'Get a conversation' },
			{ name: 'Get Many', value: 'getMany', description: 'List the conversations of a contact', action: 'Get many conversations' },
			{
				name: 'Get Owner',
				value: 'getOwner',
				description: "Whether the bot or a human handles a contact now, from their conversations' status: one read per message",
				action: 'Get who handles a conversation',
			},
			{
				name: 'Hand to Humans',
				value: 'handToHumans',
				description: 'Set it open for the agents, optionally assigning a team and an agent',
				action: 'Hand a conversation to humans',
			},
			{ name: 'Reopen', value: 'reopen', description: 'Reopen a resolved conversation', action: 'Reopen a conversation' },
			{ name: 'Resolve', value: 'resolve', description: 'Mark it resolved: the handoff is over', action: 'Resolve a conversation' },
			{
				name: 'Update Custom Attributes',
				value: 'updateAttributes',
				description: 'Set conversation custom attributes',
				action: 'Update custom attributes of a conversation',
			},
		],
		default: 'create',
	},
	...create.description,
	...get.description,
	...getMany.description,
	...getOwner.description,
	...handToHumans.description,
	...backToBot.description,
	...resolve.description,
	...reopen.description,
	...assign.description,
	...updateAttributes.description,
];
