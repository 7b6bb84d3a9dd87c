import type { INodeProperties } from 'n8n-workflow';

import * as endTurn from './endTurn';
import * as waitForTurn from './waitForTurn';

export { endTurn, waitForTurn };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Wait for Turn',
				value: 'waitForTurn',
				action: 'Wait for the turn of a message',
				description: "Let a message through once the messages before it in its conversation went on, and send copies to the Duplicate output",
			},
			{
				name: 'End Turn',
				value: 'endTurn',
				action: 'End the turn of a message',
				description: 'After the message went out: the next message of its conversation goes on',
			},
		],
		default: 'waitForTurn',
	},
	...waitForTurn.description,
	...endTurn.description,
];
