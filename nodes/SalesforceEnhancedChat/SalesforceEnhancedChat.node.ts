import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as conversation from './actions/conversation';
import { router } from './actions/router';

export class SalesforceEnhancedChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Salesforce Enhanced Chat',
		name: 'salesforceEnhancedChat',
		icon: { light: 'file:salesforceEnhancedChat.svg', dark: 'file:salesforceEnhancedChat.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ {"acknowledge": "Acknowledge", "end": "End", "getEntries": "Get Entries", "getStatus": "Get Status", "renewToken": "Renew Token", "sendMessage": "Send Message", "sendTyping": "Send Typing", "start": "Start Conversation"}[$parameter["operation"]] }}',
		description:
			"Hand a conversation to a Salesforce agent through Enhanced Chat (Messaging for In-App and Web) as the customer: start it with the bot transcript, send messages, read what happened, end it.",
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#salesforce-enhanced-chat-node',
		defaults: { name: 'Salesforce Enhanced Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'salesforceEnhancedChatApi', required: true }],
		properties: [
			{
				displayName:
					'Each conversation has its own access token: it travels in the items ("conversation") and, between executions, in a field of your bot platform. The Salesforce Enhanced Chat Trigger receives the agent\'s side.',
				name: 'tokenNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Conversation', value: 'conversation' }],
				default: 'conversation',
			},
			...conversation.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
