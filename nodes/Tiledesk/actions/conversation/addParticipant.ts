import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { segment, tiledeskApi } from '../../transport';
import { conversationFields, resolveConversation } from '../common';
import { participantFields, participantId } from './participant';

const properties: INodeProperties[] = [...conversationFields, ...participantFields];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['addParticipant'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	const member = participantId.call(this, itemIndex);
	return await tiledeskApi.call(this, {
		call: 'add participant',
		method: 'POST',
		path: `requests/${segment(conversation.requestId)}/participants`,
		body: { member },
		itemIndex,
	});
}
