import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { segment, tiledeskApi } from '../../transport';
import { conversationFields, resolveConversation } from '../common';

const properties: INodeProperties[] = [
	{
		displayName:
			'Closing keeps the conversation and its messages (it can be reopened). Agents may close only conversations they take part in; owners and admins any.',
		name: 'closeNotice',
		type: 'notice',
		default: '',
	},
	...conversationFields,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['close'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	// PUT …/close, never DELETE …: that one deletes the conversation and its messages.
	return await tiledeskApi.call(this, {
		call: 'close conversation',
		method: 'PUT',
		path: `requests/${segment(conversation.requestId)}/close`,
		body: {},
		itemIndex,
	});
}
