import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { segment, tiledeskApi } from '../../transport';
import { conversationFields, resolveConversation } from '../common';

const properties: INodeProperties[] = [...conversationFields];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['get'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	return await tiledeskApi.call(this, {
		call: 'get conversation',
		method: 'GET',
		path: `requests/${segment(conversation.requestId)}`,
		itemIndex,
	});
}
