import type { INodeProperties } from 'n8n-workflow';

import * as acknowledge from './acknowledge';
import * as end from './end';
import * as getEntries from './getEntries';
import * as getStatus from './getStatus';
import * as renewToken from './renewToken';
import * as sendMessage from './sendMessage';
import * as sendTyping from './sendTyping';
import * as start from './start';

export const operations = { acknowledge, end, getEntries, getStatus, renewToken, sendMessage, sendTyping, start };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{
				name: 'Acknowledge',
				value: 'acknowledge',
				description: "Tell the agent their messages were delivered or read",
				action: 'Acknowledge agent messages',
			},
			{
				name: 'End',
				value: 'end',
				description: 'End the messaging session, or close the conversation, as the customer',
				action: 'End a conversation',
			},
			{
				name: 'Get Entries',
				value: 'getEntries',
				description: 'Read what happened in the conversation since a time: messages, agents joining, routing, session end',
				action: 'Get conversation entries',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Whether the conversation is routed to an agent yet',
				action: 'Get a conversation status',
			},
			{
				name: 'Renew Token',
				value: 'renewToken',
				description: "Get a fresh access token for the same customer",
				action: 'Renew an access token',
			},
			{
				name: 'Send Message',
				value: 'sendMessage',
				description: 'Send a message to the agent as the customer',
				action: 'Send a message',
			},
			{
				name: 'Send Typing',
				value: 'sendTyping',
				description: 'Show the agent that the customer is typing, or has stopped',
				action: 'Send a typing indicator',
			},
			{
				name: 'Start Conversation',
				value: 'start',
				description: 'Ask for an agent as the customer, with pre-chat fields and the bot transcript',
				action: 'Start a conversation',
			},
		],
		default: 'start',
	},
	...start.description,
	...sendMessage.description,
	...getEntries.description,
	...getStatus.description,
	...sendTyping.description,
	...acknowledge.description,
	...renewToken.description,
	...end.description,
];
