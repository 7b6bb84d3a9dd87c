import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { conversationField, newId, readConversation } from '../../conversation';
import { enhancedChatRequest } from '../../transport';

const properties: INodeProperties[] = [
	conversationField,
	{
		displayName: 'Entry IDs',
		name: 'entryIds',
		type: 'string',
		required: true,
		default: '={{ $json.entryId }}',
		description: 'The agent\'s entries the customer got or read: one ID, several separated by commas, or an array',
	},
	{
		displayName: 'Receipt',
		name: 'receipt',
		type: 'options',
		options: [
			{ name: 'Delivered', value: 'Delivery' },
			{ name: 'Read', value: 'Read' },
		],
		default: 'Read',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['acknowledge'] } }, properties);

function entryIds(value: unknown): string[] {
	const list = Array.isArray(value) ? value : String(value ?? '').split(',');
	return list.map((id) => String(id).trim()).filter(Boolean);
}

/** Delivery or read receipts for the agent's messages (POST …/acknowledge-entries). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = readConversation(this, itemIndex);
	const ids = entryIds(this.getNodeParameter('entryIds', itemIndex, ''));
	if (ids.length === 0) throw new NodeOperationError(this.getNode(), '"Entry IDs" is empty', { itemIndex });
	const entryType = this.getNodeParameter('receipt', itemIndex, 'Read') as string;
	await enhancedChatRequest.call(this, {
		call: 'acknowledge entries',
		method: 'POST',
		path: `/conversation/${conversation.id}/acknowledge-entries`,
		accessToken: conversation.accessToken,
		body: { acks: ids.map((conversationEntryId) => ({ id: newId(), entryType, conversationEntryId })) },
		itemIndex,
	});
	return { conversationId: conversation.id, acknowledged: ids, receipt: entryType };
}
