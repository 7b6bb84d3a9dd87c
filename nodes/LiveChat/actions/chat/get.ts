import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { liveChatApi } from '../../transport';
import { chatFields, resolveChat } from '../common';

const properties: INodeProperties[] = [
	...chatFields,
	{
		displayName: 'Thread ID',
		name: 'threadId',
		type: 'string',
		default: '',
		placeholder: 'K600PKZON8',
		description: 'Empty: the latest thread',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['get'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { chatId } = await resolveChat.call(this, itemIndex);
	const threadId = String(this.getNodeParameter('threadId', itemIndex, '') ?? '').trim();
	const body: IDataObject = { chat_id: chatId };
	if (threadId) body.thread_id = threadId;
	return await liveChatApi.call(this, { api: 'agent', action: 'get_chat', call: 'get chat', body, itemIndex });
}
