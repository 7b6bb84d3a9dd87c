import type { INodeProperties } from 'n8n-workflow';

import * as getMany from './getMany';
import * as send from './send';

export const operations = { getMany, send };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{ name: 'Get Many', value: 'getMany', description: "Read a conversation's messages", action: 'Get many messages' },
			{
				name: 'Send',
				value: 'send',
				description: 'Send a text or a file as the customer, as an operator or bot, or as a private note',
				action: 'Send a message',
			},
		],
		default: 'send',
	},
	...send.description,
	...getMany.description,
];
