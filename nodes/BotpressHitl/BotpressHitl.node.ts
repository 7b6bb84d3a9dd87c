import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as conversation from './actions/conversation';
import { router } from './actions/router';

export class BotpressHitl implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Botpress HITL',
		name: 'botpressHitl',
		icon: { light: 'file:botpress.svg', dark: 'file:botpress.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ {"agentAssigned": "Agent Assigned", "sendMessage": "Message From Agent", "stopHitl": "Stop HITL"}[$parameter["operation"]] }}',
		description:
			"Answer a Botpress Human in the Loop handoff: send the agent's messages, report the agent assigned, stop HITL.",
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#botpress-hitl-node',
		defaults: { name: 'Botpress HITL' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'botpressHitlApi', required: true }],
		properties: [
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
