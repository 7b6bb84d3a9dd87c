import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { conversationField, readConversation } from '../../conversation';
import { enhancedChatRequest } from '../../transport';

const properties: INodeProperties[] = [conversationField];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['getStatus'] } }, properties);

/** GET …/conversation/{id}: where routing is (INITIAL, NEEDS_ROUTING, ROUTED, TRANSFER). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = readConversation(this, itemIndex);
	const response = await enhancedChatRequest.call(this, {
		call: 'get conversation',
		method: 'GET',
		path: `/conversation/${conversation.id}`,
		accessToken: conversation.accessToken,
		itemIndex,
	});
	const body = (response.body ?? {}) as IDataObject;
	return { conversationId: conversation.id, routingStatus: body.routingStatus ?? null, routed: body.routingStatus === 'ROUTED', raw: body };
}
