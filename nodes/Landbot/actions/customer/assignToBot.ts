import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { customerIdField, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	customerIdField,
	{
		displayName: 'Bot ID',
		name: 'botId',
		type: 'string',
		required: true,
		default: '',
		description: 'Numeric ID of the bot, as in the bot builder URL',
	},
	{
		displayName: 'Node ID',
		name: 'nodeId',
		type: 'string',
		default: '',
		placeholder: 'Nkqgn6xkf',
		description:
			"The block where the bot resumes (a block's menu → copy ID). Empty: the bot's start.",
	},
	{
		displayName: 'Launch',
		name: 'launch',
		type: 'boolean',
		default: true,
		description: 'Whether the bot runs the block at once instead of waiting for the customer to write',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['assignToBot'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const botId = requireNumericId.call(this, 'botId', 'Bot ID', itemIndex);
	const nodeId = String(this.getNodeParameter('nodeId', itemIndex, '')).trim();
	const launch = this.getNodeParameter('launch', itemIndex, true) as boolean;
	if (nodeId !== '' && !/^[A-Za-z0-9_-]+$/.test(nodeId)) {
		throw new NodeOperationError(this.getNode(), `"Node ID" looks wrong: "${nodeId}"`, {
			itemIndex,
			description: 'Copy the ID from the block menu in the Landbot builder, e.g. Nkqgn6xkf.',
		});
	}
	const body: IDataObject = { launch };
	if (nodeId !== '') body.node = nodeId;
	const response = await landbotApi.call(this, {
		call: 'assign customer to bot',
		method: 'PUT',
		path: `customers/${customerId}/assign_bot/${botId}/`,
		body,
		itemIndex,
	});
	return { customerId, botId, ...body, ...response };
}
