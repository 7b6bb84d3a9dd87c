import type { INodeProperties } from 'n8n-workflow';

import * as agentAssigned from './agentAssigned';
import * as sendMessage from './sendMessage';
import * as stopHitl from './stopHitl';

export const operations = { agentAssigned, sendMessage, stopHitl };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			{
				name: 'Agent Assigned',
				value: 'agentAssigned',
				description: 'Tell Botpress an agent joined the conversation (hitlAssigned)',
				action: 'Tell botpress an agent was assigned',
			},
			{
				name: 'Message From Agent',
				value: 'sendMessage',
				description: 'Show an agent\'s text, image, file, audio or video to the Botpress user',
				action: 'Send a message from an agent',
			},
			{
				name: 'Stop HITL',
				value: 'stopHitl',
				description: 'End the handoff: the conversation goes back to the bot (hitlStopped)',
				action: 'Stop the human in the loop session',
			},
		],
		default: 'sendMessage',
	},
	...sendMessage.description,
	...agentAssigned.description,
	...stopHitl.description,
];
