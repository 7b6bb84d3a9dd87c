import type { INodeProperties } from 'n8n-workflow';

import * as deactivate from './deactivate';
import * as get from './get';
import * as getMany from './getMany';
import * as sendMessage from './sendMessage';
import * as start from './start';
import * as transfer from './transfer';

export const operations = { deactivate, get, getMany, sendMessage, start, transfer };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{
				name: 'Deactivate',
				value: 'deactivate',
				description: 'Close the chat\'s open thread (end the handoff)',
				action: 'Deactivate a chat',
			},
			{ name: 'Get', value: 'get', description: 'Get a chat with a thread', action: 'Get a chat' },
			{ name: 'Get Many', value: 'getMany', description: 'List chats', action: 'Get many chats' },
			{
				name: 'Send Message',
				value: 'sendMessage',
				description: 'Send a text, image or file as the customer, an agent or a bot',
				action: 'Send a message in a chat',
			},
			{
				name: 'Start',
				value: 'start',
				description:
					'Hand a conversation to LiveChat agents: open a chat in a group with the conversation so far and the other system\'s IDs',
				action: 'Start a chat',
			},
			{
				name: 'Transfer',
				value: 'transfer',
				description: 'Transfer the chat to a group or an agent',
				action: 'Transfer a chat',
			},
		],
		default: 'start',
	},
	...start.description,
	...sendMessage.description,
	...transfer.description,
	...deactivate.description,
	...get.description,
	...getMany.description,
];
