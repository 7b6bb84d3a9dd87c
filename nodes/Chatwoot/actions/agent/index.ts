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
				description: "Whether an agent of the team or inbox is online now, within the inbox's business hours",
				action: 'Get agent availability',
			},
		],
		default: 'getAvailability',
	},
	...getAvailability.description,
];
