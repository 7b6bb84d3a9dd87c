import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as agent from './actions/agent';
import * as conversation from './actions/conversation';
import * as message from './actions/message';
import { router } from './actions/router';
import { getInboxes, getOperators } from './methods/loadOptions';
import { listSearch } from './methods/listSearch';

export class Crisp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Crisp',
		name: 'crisp',
		icon: { light: 'file:crisp.svg', dark: 'file:crisp.dark.svg' },
		group: ['output'],
		version: 1,
		// One literal: n8n's lint reads the subtitle only as a single string.
		subtitle:
			'={{ {"assign": "Assign", "get": "Get", "getAvailability": "Get Availability", "getMany": "Get Many", "getOrCreate": "Get or Create", "moveToInbox": "Move to Inbox", "send": "Send", "setState": "Set State", "updateMeta": "Update Meta"}[$parameter["operation"]] + ": " + {"agent": "Operator", "conversation": "Conversation", "message": "Message"}[$parameter["resource"]] }}',
		description: 'Hand a chatbot conversation to operators in Crisp and back: conversations, their state, routing and meta, messages and notes.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#crisp-node',
		defaults: { name: 'Crisp' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'crispApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Conversation', value: 'conversation' },
					{ name: 'Message', value: 'message' },
					{ name: 'Operator', value: 'agent', description: "The website's operators: who is online now" },
				],
				default: 'message',
			},
			...conversation.description,
			...message.description,
			...agent.description,
		],
	};

	methods = { loadOptions: { getInboxes, getOperators }, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
