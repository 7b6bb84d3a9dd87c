import type { INodeProperties } from 'n8n-workflow';

import * as send from './send';
import * as sendHistory from './sendHistory';

export const operations = { send, sendHistory };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Send',
				value: 'send',
				description:
					'Send a text, image or file into a conversation as the end user, a bot or the credential\'s user; the first message opens the conversation',
				action: 'Send a message',
			},
			{
				name: 'Send History',
				value: 'sendHistory',
				description:
					'Post a list of messages (e.g. a bot transcript) in order, each keeping its author and time in its attributes',
				action: 'Send a message history',
			},
		],
		default: 'send',
	},
	...send.description,
	...sendHistory.description,
];
