import type { INodeProperties } from 'n8n-workflow';

import * as get from './get';
import * as getMany from './getMany';

export const operations = { get, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['channel'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get a channel', action: 'Get a channel' },
			{ name: 'Get Many', value: 'getMany', description: 'List channels', action: 'Get many channels' },
		],
		default: 'getMany',
	},
	...get.description,
	...getMany.description,
];
