import type { INodeProperties } from 'n8n-workflow';

import * as getAvailability from './getAvailability';

export const operations = { getAvailability };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['agent'] } },
		options: [
			{
				name: 'Get Availability',
				value: 'getAvailability',
				description: "Whether an operator (of the inbox) is online now, by the operators' availability",
				action: 'Get operator availability',
			},
		],
		default: 'getAvailability',
	},
	...getAvailability.description,
];
