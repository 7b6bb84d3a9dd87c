import type { INodeProperties } from 'n8n-workflow';

import * as create from './create';
import * as deleteHook from './delete';
import * as getMany from './getMany';

export const operations = { create, delete: deleteHook, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['messageHook'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Register a URL that receives every message of a channel',
				action: 'Create a message hook',
			},
			{ name: 'Delete', value: 'delete', description: 'Remove a message hook', action: 'Delete a message hook' },
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the message hooks of a channel',
				action: 'Get many message hooks',
			},
		],
		default: 'getMany',
	},
	...create.description,
	...getMany.description,
	...deleteHook.description,
];
