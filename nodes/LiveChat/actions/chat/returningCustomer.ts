import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { PROPERTY_CUSTOMER_EXTERNAL_ID, PROPERTY_CUSTOMER_IDENTITY } from '../../marker';
import type { LiveChatConfig } from '../../transport';
import { canWriteAsChatCustomer, customerApi, customerToken, liveChatApi } from '../../transport';
import { chatCustomerId, findChatsByProperty } from '../common';

// Start for a customer of the other system (External Customer ID): the same LiveChat customer
// every time, through the chat properties of their last chat (docs/platforms/livechat.md).

/**
 * The customer's last chat, if the node can write as its customer: with a personal access token the
 * chat must keep the customer's identity (older chats do not), otherwise a new identity is made.
 */
function reusableChat(config: LiveChatConfig, chats: IDataObject[]): IDataObject | undefined {
	return chats.find((chat) => {
		const customerId = chatCustomerId(chat);
		return customerId !== null && canWriteAsChatCustomer(config, chat, customerId);
	});
}

export interface ReturningCustomer {
	/** The customer's last chat the node can write in as them; undefined when a customer was created. */
	previousChat: IDataObject | undefined;
	customerId: string | null;
	customerCreated: boolean;
}

/**
 * A returning customer: their last chat (found by their external id) holds their LiveChat identity.
 * Otherwise a new customer, given `profile` (name, email); the sealed identity (cookie grant) goes
 * into `ours`, the chat properties Start writes.
 */
export async function returningCustomer(
	this: IExecuteFunctions,
	config: LiveChatConfig,
	customerExternalId: string,
	profile: IDataObject,
	ours: IDataObject,
	itemIndex: number,
): Promise<ReturningCustomer> {
	const chats = await findChatsByProperty.call(this, PROPERTY_CUSTOMER_EXTERNAL_ID, customerExternalId, itemIndex);
	const previousChat = reusableChat(config, chats);
	let customerId = previousChat ? chatCustomerId(previousChat) : null;
	let customerCreated = false;
	if (!customerId) {
		const token = await customerToken.call(this, undefined, itemIndex);
		customerId = token.entityId;
		customerCreated = true;
		// The chat keeps the identity: any process can get this customer's tokens from it later.
		if (token.sealed) ours[PROPERTY_CUSTOMER_IDENTITY] = token.sealed;
		if (Object.keys(profile).length > 0) {
			await customerApi.call(this, { entityId: customerId }, {
				action: 'update_customer',
				call: 'update customer',
				body: profile,
				itemIndex,
			});
		}
	}
	return { previousChat, customerId, customerCreated };
}

/**
 * The returning customer's chat is still active, already with an agent: starting again would only
 * fail or split the conversation. The chat takes the new conversation's IDs, so it is found by them
 * from now on.
 */
export async function keepIdsOnActiveChat(
	this: IExecuteFunctions,
	config: LiveChatConfig,
	previousChat: IDataObject,
	ours: IDataObject,
	itemIndex: number,
): Promise<void> {
	const current = (previousChat.properties as IDataObject | undefined)?.[config.clientId] as IDataObject | undefined;
	const changed = Object.entries(ours).some(([name, value]) => current?.[name] !== value);
	if (changed) {
		await liveChatApi.call(this, {
			api: 'agent',
			action: 'update_chat_properties',
			call: 'update chat properties',
			body: { id: String(previousChat.id), properties: { [config.clientId]: ours } },
			itemIndex,
		});
	}
}
