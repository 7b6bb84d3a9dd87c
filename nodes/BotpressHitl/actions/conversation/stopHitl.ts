import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { botpressRequest } from '../../transport';
import { remoteConversationIdField, requireString, requireWebhookUrl } from '../common';

const properties: INodeProperties[] = [remoteConversationIdField];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['stopHitl'] } },
	properties,
);

/** POST /stop-hitl: Botpress emits hitlStopped and the conversation goes back to the bot. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const remoteConversationId = requireString.call(this, 'remoteConversationId', 'Remote Conversation ID', itemIndex);
	await requireWebhookUrl.call(this, itemIndex);
	await botpressRequest.call(this, {
		call: 'stop HITL',
		path: '/stop-hitl',
		body: { remoteConversationId },
		itemIndex,
	});
	return { remoteConversationId, stopped: true };
}
