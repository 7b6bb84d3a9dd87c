import type { INodeProperties } from 'n8n-workflow';

import * as assign from './assign';
import * as assignToBot from './assignToBot';
import * as get from './get';
import * as getMany from './getMany';
import * as getTranscript from './getTranscript';
import * as sendImage from './sendImage';
import * as sendLocation from './sendLocation';
import * as sendMessage from './sendMessage';
import * as sendText from './sendText';
import * as unassign from './unassign';

export const operations = {
	assign,
	assignToBot,
	get,
	getMany,
	getTranscript,
	sendImage,
	sendLocation,
	sendMessage,
	sendText,
	unassign,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customer'] } },
		options: [
			{
				name: 'Assign',
				value: 'assign',
				description: 'Assign the customer to the credential\'s agent or another agent (human takeover)',
				action: 'Assign a customer to an agent',
			},
			{
				name: 'Assign to Bot',
				value: 'assignToBot',
				description: 'Give the conversation back to a bot, resuming at a chosen block',
				action: 'Assign a customer to a bot',
			},
			{ name: 'Get', value: 'get', description: 'Get a customer', action: 'Get a customer' },
			{ name: 'Get Many', value: 'getMany', description: 'List customers', action: 'Get many customers' },
			{
				name: 'Get Transcript',
				value: 'getTranscript',
				description: 'Get the whole conversation, oldest message first',
				action: 'Get a customer transcript',
			},
			{
				name: 'Send Image',
				value: 'sendImage',
				description: 'Send an image to the customer',
				action: 'Send an image to a customer',
			},
			{
				name: 'Send Location',
				value: 'sendLocation',
				description: 'Send a map location to the customer',
				action: 'Send a location to a customer',
			},
			{
				name: 'Send Message',
				value: 'sendMessage',
				description:
					'Relay a message of any type from a trigger event: images and locations as such, files and the rest as text with a link',
				action: 'Send a message to a customer',
			},
			{
				name: 'Send Text',
				value: 'sendText',
				description: 'Send a text message to the customer',
				action: 'Send a text to a customer',
			},
			{
				name: 'Unassign',
				value: 'unassign',
				description: 'Remove the agent from the conversation',
				action: 'Unassign a customer',
			},
		],
		default: 'sendText',
	},
	...sendText.description,
	...sendMessage.description,
	...sendImage.description,
	...sendLocation.description,
	...assign.description,
	...unassign.description,
	...assignToBot.description,
	...get.description,
	...getMany.description,
	...getTranscript.description,
];
