import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { liveChatApi } from '../../transport';
import { chatFields, resolveChat } from '../common';

const properties: INodeProperties[] = [
	{
		displayName:
			'Deactivating closes the chat\'s open thread (LiveChat\'s deactivate_chat); the chat and its history stay, and "Start" resumes it for a returning customer',
		name: 'deactivateNotice',
		type: 'notice',
		default: '',
	},
	...chatFields,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Require the Credential\'s Agent in the Chat',
				name: 'requirePresence',
				type: 'boolean',
				default: false,
				description:
					'Whether to fail when the credential\'s agent is not in the chat. Off (LiveChat: ignore_requester_presence) suits relays, whose agent rarely is.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['deactivate'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { chatId, externalId } = await resolveChat.call(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	await liveChatApi.call(this, {
		api: 'agent',
		action: 'deactivate_chat',
		call: 'deactivate chat',
		body: { id: chatId, ignore_requester_presence: options.requirePresence !== true },
		itemIndex,
	});
	return { chatId, externalId, deactivated: true };
}
