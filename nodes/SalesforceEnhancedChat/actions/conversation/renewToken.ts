import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { conversationField, conversationOf, readConversation } from '../../conversation';
import { accessTokenOf, enhancedChatRequest } from '../../transport';
import { follow } from '../common';

const properties: INodeProperties[] = [conversationField];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['renewToken'] } }, properties);

/**
 * A continuation token for the same customer (GET …/continuation-access-token). It does not live
 * longer than the one it replaces: Salesforce keeps the expiry.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const old = readConversation(this, itemIndex);
	const response = await enhancedChatRequest.call(this, {
		call: 'renew access token',
		method: 'GET',
		path: '/authorization/continuation-access-token',
		accessToken: old.accessToken,
		itemIndex,
	});
	const token = accessTokenOf(response.body, old.subject);
	const conversation = conversationOf(old.id, { ...token, lastEventId: token.lastEventId || old.lastEventId }, old.context);
	await follow(this, conversation);
	return { conversation, conversationId: conversation.id };
}
