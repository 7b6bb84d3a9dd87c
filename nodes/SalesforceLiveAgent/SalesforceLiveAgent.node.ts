import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as chat from './actions/chat';
import { router } from './actions/router';

export class SalesforceLiveAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Salesforce Live Agent (Legacy Chat, Retired)',
		name: 'salesforceLiveAgent',
		icon: { light: 'file:salesforceLiveAgent.svg', dark: 'file:salesforceLiveAgent.dark.svg' },
		group: ['output'],
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ {"createSession": "Create Session", "endChat": "End Chat", "getMessages": "Get Messages", "sendMessage": "Send Message", "startChat": "Start Chat"}[$parameter["operation"]] }}',
		description:
			"Hand a conversation to a Salesforce Live Agent queue as a chat visitor, on legacy Chat, which Salesforce retired on 2026-02-14 (use Salesforce Enhanced Chat): start the chat with the bot transcript, send messages, poll for the agent's replies.",
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#salesforce-live-agent-node',
		defaults: { name: 'Salesforce Live Agent' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'salesforceLiveAgentApi', required: true }],
		properties: [
			{
				displayName:
					'Salesforce retired legacy Chat (Live Agent) on 2026-02-14 and points to Enhanced Chat (Messaging for In-App and Web) instead. This node speaks the legacy Chat REST API, for orgs and servers that still serve it. Live Agent cannot push: loop Get Messages until chatEnded; the session (and its secret key) travels in the items.',
				name: 'retirementNotice',
				type: 'notice',
				default: '',
			},
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

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
