import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { conversationField, readConversation } from '../../conversation';
import { forgetConversation } from '../../follow';
import { deploymentKey, enhancedChatConfig, enhancedChatRequest } from '../../transport';

const properties: INodeProperties[] = [
	conversationField,
	{
		displayName: 'End',
		name: 'end',
		type: 'options',
		options: [
			{
				name: 'The Messaging Session',
				value: 'session',
				description: 'The agent\'s chat ends; the conversation stays, and a later message can open a new session',
			},
			{ name: 'The Conversation', value: 'conversation', description: 'Close it for good' },
		],
		default: 'session',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['end'] } }, properties);

/** As the customer: DELETE …/session ends the session, DELETE …/conversation/{id} closes it. Gone already is fine. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const config = await enhancedChatConfig(this);
	const conversation = readConversation(this, itemIndex);
	const whole = this.getNodeParameter('end', itemIndex, 'session') === 'conversation';
	const response = await enhancedChatRequest.call(this, {
		call: whole ? 'close conversation' : 'end messaging session',
		method: 'DELETE',
		path: `/conversation/${conversation.id}${whole ? '' : '/session'}`,
		accessToken: conversation.accessToken,
		qs: { esDeveloperName: config.deploymentName },
		acceptStatuses: [404],
		itemIndex,
	});
	if (whole) forgetConversation(deploymentKey(config), conversation.id);
	return { conversationId: conversation.id, ended: whole ? 'conversation' : 'session', alreadyEnded: response.statusCode === 404 };
}
