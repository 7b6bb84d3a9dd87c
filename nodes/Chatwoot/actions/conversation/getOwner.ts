import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { isObject, textOf } from '../../../shared';
import { chatwootApi, listOf, segment } from '../../transport';
import { idParameter, inboxLocator, optionalLocatorId } from '../common';

const properties: INodeProperties[] = [
	{
		displayName:
			'One read of the contact\'s conversations: a human handles the customer while one of them is open (or snoozed), the bot otherwise (pending, resolved, or none yet)',
		name: 'getOwnerNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Contact ID',
		name: 'contactId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '128',
		description: 'The contactId of Contact → Get or Create, or a Chatwoot Trigger event\'s customerId',
	},
	inboxLocator({ required: false, description: 'Optional: only conversations in this inbox count (the inbox your bot hands over in)' }),
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['getOwner'] } }, properties);

/** Statuses in which the conversation is the humans': an agent snoozes it while waiting, and a customer message opens it again. */
const HUMAN_STATUSES = ['open', 'snoozed'];

const lastActivity = (conversation: IDataObject) => Number(conversation.last_activity_at ?? conversation.timestamp ?? 0) || 0;

function idOf(value: unknown): string | null {
	const id = isObject(value) ? textOf(value.id) : '';
	return id === '' ? null : id;
}

/**
 * Who handles the customer now, from Chatwoot's own state (no store of ours): `handledBy` is `human`
 * while a conversation of the contact is open or snoozed, else `bot`. `conversationId` is that
 * conversation, or the latest pending one (the bot's), or null.
 */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const contactId = idParameter.call(this, 'contactId', 'Contact ID', itemIndex);
	const inboxId = optionalLocatorId.call(this, 'inboxId', 'Inbox', itemIndex);
	const body = await chatwootApi.call(this, { call: "list the contact's conversations", method: 'GET', path: `contacts/${segment(contactId)}/conversations`, itemIndex });
	// Latest first, whatever order the answer has: the customer's current conversation decides.
	const conversations = listOf(body)
		.filter((conversation) => inboxId === '' || textOf(conversation.inbox_id) === inboxId)
		.sort((a, b) => lastActivity(b) - lastActivity(a) || Number(b.id) - Number(a.id));
	const human = conversations.find((conversation) => HUMAN_STATUSES.includes(textOf(conversation.status)));
	const current = human ?? conversations.find((conversation) => conversation.status === 'pending');
	const meta = isObject(current?.meta) ? current.meta : {};
	return {
		handledBy: human ? 'human' : 'bot',
		conversationId: current ? textOf(current.id) : null,
		status: current ? textOf(current.status) : null,
		assigneeId: idOf(meta.assignee),
		teamId: idOf(meta.team),
		contactId,
		inboxId: inboxId || (current ? textOf(current.inbox_id) : null),
	};
}
