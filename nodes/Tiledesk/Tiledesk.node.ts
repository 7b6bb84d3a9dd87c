import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as agent from './actions/agent';
import * as conversation from './actions/conversation';
import * as message from './actions/message';
import { router } from './actions/router';
import { getAgents, getDepartments } from './methods/loadOptions';
import { listSearch } from './methods/listSearch';

export class Tiledesk implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tiledesk',
		name: 'tiledesk',
		icon: { light: 'file:tiledesk.svg', dark: 'file:tiledesk.dark.svg' },
		group: ['output'],
		// 1.1: channel, department, group, agent and bot ids are resource locators (From List / By ID).
		version: [1, 1.1],
		defaultVersion: 1.1,
		// One literal: n8n's lint reads the subtitle only as a single string.
		subtitle:
			'={{ {"addParticipant": "Add Participant", "close": "Close", "get": "Get", "getAvailability": "Get Availability", "getMany": "Get Many", "moveToDepartment": "Move to Department", "removeParticipant": "Remove Participant", "reopen": "Reopen", "routeToAgents": "Route to Agents", "updateAttributes": "Update Attributes", "send": "Send", "sendHistory": "Send History"}[$parameter["operation"]] + ": " + {"agent": "Agent", "conversation": "Conversation", "message": "Message"}[$parameter["resource"]] }}',
		description:
			'Mirror a chatbot conversation into Tiledesk and hand it to human agents: send messages and history, route, assign, close.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#tiledesk-node',
		defaults: { name: 'Tiledesk' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tiledeskApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Agent', value: 'agent', description: "The project's agents: who takes conversations now" },
					{ name: 'Conversation', value: 'conversation', description: 'A Tiledesk request' },
					{ name: 'Message', value: 'message' },
				],
				default: 'message',
			},
			...message.description,
			...conversation.description,
			...agent.description,
		],
	};

	methods = { loadOptions: { getAgents, getDepartments }, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
