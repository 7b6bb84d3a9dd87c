import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { conversationField, newId, readConversation } from '../../conversation';
import { enhancedChatRequest } from '../../transport';

const properties: INodeProperties[] = [
	conversationField,
	{
		displayName: 'Typing',
		name: 'typing',
		type: 'options',
		options: [
			{ name: 'Started', value: 'started' },
			{ name: 'Stopped', value: 'stopped' },
		],
		default: 'started',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['sendTyping'] } }, properties);

/** Shows the agent that the customer is typing, or no longer is. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = readConversation(this, itemIndex);
	const started = this.getNodeParameter('typing', itemIndex, 'started') === 'started';
	await enhancedChatRequest.call(this, {
		call: started ? 'send typing started' : 'send typing stopped',
		method: 'POST',
		path: `/conversation/${conversation.id}/entry`,
		accessToken: conversation.accessToken,
		body: { entryType: started ? 'TypingStartedIndicator' : 'TypingStoppedIndicator', id: newId() },
		itemIndex,
	});
	return { conversationId: conversation.id, typing: started };
}
