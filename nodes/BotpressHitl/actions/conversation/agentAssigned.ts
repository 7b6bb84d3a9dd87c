import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { botpressRequest } from '../../transport';
import { remoteConversationIdField, remoteUserIdField, requireString, requireWebhookUrl } from '../common';

const properties: INodeProperties[] = [remoteConversationIdField, remoteUserIdField];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['agentAssigned'] } },
	properties,
);

/** POST /agent-assigned: Botpress emits hitlAssigned (an agent joined the conversation). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const remoteConversationId = requireString.call(this, 'remoteConversationId', 'Remote Conversation ID', itemIndex);
	const remoteUserId = requireString.call(this, 'remoteUserId', 'Agent ID', itemIndex);
	await requireWebhookUrl.call(this, itemIndex);
	await botpressRequest.call(this, {
		call: 'agent assigned',
		path: '/agent-assigned',
		body: { remoteConversationId, remoteUserId },
		itemIndex,
	});
	return { remoteConversationId, remoteUserId, assigned: true };
}
