import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { segment, tiledeskApi } from '../../transport';
import { conversationFields, jsonObjectParameter, resolveConversation } from '../common';

const properties: INodeProperties[] = [
	...conversationFields,
	{
		displayName: 'Attributes',
		name: 'attributes',
		type: 'json',
		required: true,
		default: '{}',
		description:
			'JSON object merged into the conversation\'s attributes: each key given replaces the one stored, the others stay',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['updateAttributes'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	const attributes = jsonObjectParameter.call(this, 'attributes', 'Attributes', itemIndex);
	if (Object.keys(attributes).length === 0) {
		throw new NodeOperationError(this.getNode(), '"Attributes" is empty: nothing to update', { itemIndex });
	}
	return await tiledeskApi.call(this, {
		call: 'update conversation attributes',
		method: 'PATCH',
		path: `requests/${segment(conversation.requestId)}/attributes`,
		body: attributes,
		itemIndex,
	});
}
