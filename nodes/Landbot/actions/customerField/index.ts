import type { INodeProperties } from 'n8n-workflow';

import * as deleteField from './delete';
import * as get from './get';
import * as set from './set';

export const operations = { delete: deleteField, get, set };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customerField'] } },
		options: [
			{
				name: 'Delete',
				value: 'delete',
				description: 'Remove a field from a customer',
				action: 'Delete a customer field',
			},
			{ name: 'Get', value: 'get', description: 'Read a customer field', action: 'Get a customer field' },
			{
				name: 'Set',
				value: 'set',
				description: 'Create or update a customer field, e.g. the helpdesk conversation ID',
				action: 'Set a customer field',
			},
		],
		default: 'set',
	},
	...get.description,
	...set.description,
	...deleteField.description,
];
