import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

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
		subtitle: '={{ {"deactivate": "Deactivate", "get": "Get", "getMany": "Get Many", "sendMessage": "Send Message", "start": "Start", "transfer": "Transfer"}[$parameter["operation"]] }}',
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
				options: [{ name: 'Chat', value: 'chat' }],
				default: 'chat',
			},
			...chat.description,
		],
	};

	methods = { loadOptions: { getAgents, getBots, getGroups }, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
