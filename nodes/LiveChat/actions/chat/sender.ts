import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { locatorId } from '../../../shared';
import type { CustomerRef } from '../../transport';
import { botApiVersion, customerApi, liveChatApi, liveChatConfig, sealedIdentityOf } from '../../transport';
import { chatCustomerId } from '../common';

// Who Send Message writes as (Send As), and the send_event call each of them makes.

export type Sender =
	| { as: 'customer'; customer: CustomerRef }
	| { as: 'agent' }
	| { as: 'bot'; botId: string; apiVersion: string };

export async function send(this: IExecuteFunctions, sender: Sender, chatId: string, event: IDataObject, itemIndex: number) {
	const body = { chat_id: chatId, event };
	if (sender.as === 'customer') {
		return await customerApi.call(this, sender.customer, { action: 'send_event', call: 'send message', body, itemIndex });
	}
	if (sender.as === 'bot') {
		return await liveChatApi.call(this, {
			api: 'agent',
			action: 'send_event',
			call: 'send message as bot',
			body,
			headers: { 'X-Author-Id': sender.botId },
			apiVersion: sender.apiVersion,
			itemIndex,
		});
	}
	return await liveChatApi.call(this, { api: 'agent', action: 'send_event', call: 'send message', body, itemIndex });
}

/**
 * The author Send As chose, ready to write: a bot is added to the chat first when it is not in it
 * (LiveChat requires the author to be in the chat), a customer not given is read from the chat.
 */
export async function prepareSender(
	this: IExecuteFunctions,
	chatId: string,
	itemIndex: number,
	options: IDataObject,
): Promise<Sender> {
	const sendAs = this.getNodeParameter('sendAs', itemIndex) as 'customer' | 'agent' | 'bot';
	if (sendAs === 'agent') return { as: 'agent' };
	if (sendAs === 'bot') {
		const botId = locatorId.call(this, 'botId', itemIndex);
		if (!botId) throw new NodeOperationError(this.getNode(), '"Bot" is empty', { itemIndex });
		const apiVersion = botApiVersion((await liveChatConfig(this)).apiVersion);
		if (options.addBotToChat !== false) {
			const chat = await liveChatApi.call(this, {
				api: 'agent',
				action: 'get_chat',
				call: 'get chat',
				body: { chat_id: chatId },
				itemIndex,
			});
			const users = Array.isArray(chat.users) ? (chat.users as IDataObject[]) : [];
			if (!users.some((user) => user.id === botId)) {
				await liveChatApi.call(this, {
					api: 'agent',
					action: 'add_user_to_chat',
					call: 'add bot to chat',
					body: {
						chat_id: chatId,
						user_id: botId,
						user_type: 'agent',
						visibility: 'all',
						ignore_requester_presence: true,
					},
					headers: { 'X-Author-Id': botId },
					apiVersion,
					itemIndex,
				});
			}
		}
		return { as: 'bot', botId, apiVersion };
	}
	const entityId = String(this.getNodeParameter('customerId', itemIndex, '') ?? '').trim();
	// Given: the chat is read only if a token must be issued (its properties keep the identity).
	if (entityId) return { as: 'customer', customer: { entityId, chatId } };
	const chat = await liveChatApi.call(this, {
		api: 'agent',
		action: 'get_chat',
		call: 'get chat',
		body: { chat_id: chatId },
		itemIndex,
	});
	const customerId = chatCustomerId(chat);
	if (!customerId) {
		throw new NodeOperationError(this.getNode(), `Chat "${chatId}" has no customer to write as`, {
			itemIndex,
			description: 'Start the chat with a customer, or send as an agent or a bot.',
		});
	}
	const { clientId } = await liveChatConfig(this);
	return { as: 'customer', customer: { entityId: customerId, chatId, sealed: sealedIdentityOf(chat, clientId) } };
}
