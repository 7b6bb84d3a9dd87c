import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as channel from './actions/channel';
import * as customer from './actions/customer';
import * as customerField from './actions/customerField';
import * as messageHook from './actions/messageHook';
import { router } from './actions/router';
import { getChannels } from './methods/loadOptions';
import { listSearch } from './methods/listSearch';

export class Landbot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Landbot',
		name: 'landbot',
		icon: { light: 'file:landbot.svg', dark: 'file:landbot.dark.svg' },
		group: ['output'],
		// 1.1: channel, department, group, agent and bot ids are resource locators (From List / By ID).
		version: [1, 1.1],
		defaultVersion: 1.1,
		// One literal: n8n's lint reads the subtitle only as a single string.
		subtitle:
			'={{ {"assign": "Assign", "assignToBot": "Assign to Bot", "create": "Create", "delete": "Delete", "get": "Get", "getMany": "Get Many", "getTranscript": "Get Transcript", "sendImage": "Send Image", "sendLocation": "Send Location", "sendMessage": "Send Message", "sendText": "Send Text", "set": "Set", "unassign": "Unassign"}[$parameter["operation"]] + ": " + {"channel": "Channel", "customer": "Customer", "customerField": "Customer Field", "messageHook": "Message Hook"}[$parameter["resource"]] }}',
		description: 'Talk to Landbot customers, hand conversations to agents and back to the bot.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#landbot-node',
		defaults: { name: 'Landbot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'landbotApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Channel', value: 'channel' },
					{ name: 'Customer', value: 'customer' },
					{ name: 'Customer Field', value: 'customerField' },
					{ name: 'Message Hook', value: 'messageHook' },
				],
				default: 'customer',
			},
			...customer.description,
			...customerField.description,
			...channel.description,
			...messageHook.description,
		],
	};

	methods = { loadOptions: { getChannels }, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
