import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { chatwootApi, segment } from '../../transport';
import { conversationIdField, conversationIdOf, jsonObjectParameter, mergeCustomAttributes } from '../common';

const properties: INodeProperties[] = [
	conversationIdField,
	{
		displayName: 'Custom Attributes',
		name: 'customAttributes',
		type: 'json',
		required: true,
		default: '{}',
		description: 'The attributes to set (JSON object)',
	},
	{
		displayName: 'Keep the Others',
		name: 'merge',
		type: 'boolean',
		default: true,
		description:
			"Whether to keep the conversation's other custom attributes (read first: needs a user token). Off: these replace them all, which an agent bot's token may do.",
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['updateAttributes'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	const attributes = jsonObjectParameter.call(this, 'customAttributes', 'Custom Attributes', itemIndex);
	if (Object.keys(attributes).length === 0) {
		throw new NodeOperationError(this.getNode(), '"Custom Attributes" is empty', { itemIndex });
	}
	if (this.getNodeParameter('merge', itemIndex, true) !== false) {
		return { conversationId, customAttributes: await mergeCustomAttributes.call(this, conversationId, attributes, itemIndex) };
	}
	await chatwootApi.call(this, {
		call: 'update custom attributes',
		method: 'POST',
		path: `conversations/${segment(conversationId)}/custom_attributes`,
		body: { custom_attributes: attributes },
		itemIndex,
	});
	return { conversationId, customAttributes: attributes };
}
