import type { INodeProperties } from 'n8n-workflow';

import * as get from './get';
import * as getOrCreate from './getOrCreate';

export const operations = { get, getOrCreate };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{ name: 'Get', value: 'get', description: 'Get a contact by its ID', action: 'Get a contact' },
			{
				name: 'Get or Create',
				value: 'getOrCreate',
				description: "Find the contact with your system's ID for this customer, or create it in an inbox; returns its source_id there",
				action: 'Get or create a contact',
			},
		],
		default: 'getOrCreate',
	},
	...getOrCreate.description,
	...get.description,
];
