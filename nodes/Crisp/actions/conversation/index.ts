import type { INodeProperties } from 'n8n-workflow';

import * as assign from './assign';
import * as get from './get';
import * as getMany from './getMany';
import * as getOrCreate from './getOrCreate';
import * as moveToInbox from './moveToInbox';
import * as setState from './setState';
import * as updateMeta from './updateMeta';

export const operations = { assign, get, getMany, getOrCreate, moveToInbox, setState, updateMeta };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{ name: 'Assign', value: 'assign', description: 'Route it to an operator', action: 'Assign a conversation' },
			{ name: 'Get', value: 'get', description: 'Get a conversation', action: 'Get a conversation' },
			{ name: 'Get Many', value: 'getMany', description: 'Search the conversations of the website', action: 'Get many conversations' },
			{
				name: 'Get or Create',
				value: 'getOrCreate',
				description: 'The conversation of a customer of your system (meta.data.external_id), created when missing',
				action: 'Get or create a conversation',
			},
			{ name: 'Move to Inbox', value: 'moveToInbox', description: 'Put it in an inbox, or out of any', action: 'Move a conversation to an inbox' },
			{ name: 'Set State', value: 'setState', description: 'Resolve, unresolve or set it pending', action: 'Set the state of a conversation' },
			{ name: 'Update Meta', value: 'updateMeta', description: 'Set nickname, email, subject, segments or data', action: 'Update the meta of a conversation' },
		],
		default: 'getOrCreate',
	},
	...getOrCreate.description,
	...get.description,
	...getMany.description,
	...setState.description,
	...assign.description,
	...moveToInbox.description,
	...updateMeta.description,
];
