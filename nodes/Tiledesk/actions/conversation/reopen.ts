import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { segment, tiledeskApi } from '../../transport';
import { conversationFields, resolveConversation } from '../common';

const properties: INodeProperties[] = [...conversationFields];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['reopen'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	return await tiledeskApi.call(this, {
		call: 'reopen conversation',
		method: 'PUT',
		path: `requests/${segment(conversation.requestId)}/reopen`,
		body: {},
		itemIndex,
	});
}
