import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as agent from './actions/agent';
import * as contact from './actions/contact';
import * as conversation from './actions/conversation';
import * as message from './actions/message';
import { router } from './actions/router';
import { getAgentBots, getAgents, getInboxes, getTeams } from './methods/loadOptions';
import { listSearch } from './methods/listSearch';

export class Chatwoot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Chatwoot',
		name: 'chatwoot',
		icon: { light: 'file:chatwoot.svg', dark: 'file:chatwoot.dark.svg' },
		group: ['output'],
		version: 1,
		// One literal: n8n's lint reads the subtitle only as a single string.
		subtitle:
			'={{ {"assign": "Assign", "backToBot": "Back to the Bot", "create": "Create", "get": "Get", "getAvailability": "Get Availability", "getMany": "Get Many", "getOwner": "Get Owner", "getOrCreate": "Get or Create", "handToHumans": "Hand to Humans", "reopen": "Reopen", "resolve": "Resolve", "send": "Send", "updateAttributes": "Update Custom Attributes"}[$parameter["operation"]] + ": " + {"agent": "Agent", "contact": "Contact", "conversation": "Conversation", "message": "Message"}[$parameter["resource"]] }}',
		description:
			'Hand a chatbot conversation to human agents in Chatwoot and back: contacts, conversations pending with the bot or open for humans, messages and notes.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#chatwoot-node',
		defaults: { name: 'Chatwoot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'chatwootApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Agent', value: 'agent', description: 'Who is online now' },
					{ name: 'Contact', value: 'contact' },
					{ name: 'Conversation', value: 'conversation' },
					{ name: 'Message', value: 'message' },
				],
				default: 'message',
			},
			...contact.description,
			...conversation.description,
			...message.description,
			...agent.description,
		],
	};

	methods = { loadOptions: { getAgentBots, getAgents, getInboxes, getTeams }, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
