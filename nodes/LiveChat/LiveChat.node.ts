import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as agent from './actions/agent';
import * as chat from './actions/chat';
import { router } from './actions/router';
import { getAgents, getBots, getGroups } from './methods/loadOptions';
import { listSearch } from './methods/listSearch';

export class LiveChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'LiveChat',
		name: 'liveChat',
		icon: { light: 'file:livechat.svg', dark: 'file:livechat.dark.svg' },
		group: ['output'],
		// 1.1: channel, department, group, agent and bot ids are resource locators (From List / By ID).
		version: [1, 1.1],
		defaultVersion: 1.1,
		// One literal: n8n's lint reads the subtitle only as a single string.
		subtitle:
			'={{ {"deactivate": "Deactivate", "get": "Get", "getAvailability": "Get Availability", "getMany": "Get Many", "sendMessage": "Send Message", "start": "Start", "transfer": "Transfer"}[$parameter["operation"]] + ": " + {"agent": "Agent", "chat": "Chat"}[$parameter["resource"]] }}',
		description:
			'Hand a chatbot conversation to LiveChat agents: start chats with the history, write as the customer, an agent or a bot, transfer, deactivate.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#livechat-node',
		defaults: { name: 'LiveChat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'liveChatApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Agent', value: 'agent', description: 'Who accepts chats now' },
					{ name: 'Chat', value: 'chat' },
				],
				default: 'chat',
			},
			...chat.description,
			...agent.description,
		],
	};

	methods = { loadOptions: { getAgents, getBots, getGroups }, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
