import type { INodeProperties } from 'n8n-workflow';

import * as createSession from './createSession';
import * as endChat from './endChat';
import * as getMessages from './getMessages';
import * as sendMessage from './sendMessage';
import * as startChat from './startChat';

export const operations = { createSession, endChat, getMessages, sendMessage, startChat };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{
				name: 'Create Session',
				value: 'createSession',
				description: 'Open a Live Agent visitor session (the first step of every chat)',
				action: 'Create a visitor session',
			},
			{
				name: 'End Chat',
				value: 'endChat',
				description: 'End the chat as the visitor and close the session',
				action: 'End a chat',
			},
			{
				name: 'Get Messages',
				value: 'getMessages',
				description:
					'Long-poll once for news: queue position, chat established, agent messages, typing, chat ended. Loop on it until chatEnded.',
				action: 'Get new messages from a chat',
			},
			{
				name: 'Send Message',
				value: 'sendMessage',
				description: 'Send a text as the visitor (after the chat is established)',
				action: 'Send a message in a chat',
			},
			{
				name: 'Start Chat',
				value: 'startChat',
				description: 'Ask for an agent with the visitor\'s name and pre-chat details such as the bot transcript',
				action: 'Start a chat',
			},
		],
		default: 'createSession',
	},
	...createSession.description,
	...startChat.description,
	...sendMessage.description,
	...getMessages.description,
	...endChat.description,
];
