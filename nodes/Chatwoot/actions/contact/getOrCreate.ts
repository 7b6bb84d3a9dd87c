import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { isObject, platformApiError, textOf } from '../../../shared';
import { chatwootApi, chatwootErrorText, chatwootRequest, listOf, payloadOf, segment } from '../../transport';
import { inboxLocator, jsonObjectParameter, requiredLocatorId } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: 'Identifier',
		name: 'identifier',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'landbot-473548616',
		description:
			"The customer's ID in your system (Chatwoot's contact identifier, unique in the account): the same customer gets the same contact every time, no mapping table needed",
	},
	inboxLocator({
		description: 'The inbox the conversation will be in: the contact gets an address there (its source_id), created when missing',
	}),
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		description: 'Set on a contact this operation creates',
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: 'Set on a contact this operation creates',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Custom Attributes',
				name: 'customAttributes',
				type: 'json',
				default: '{}',
				description: 'Contact custom attributes (JSON object), set on a contact this operation creates',
			},
			{
				displayName: 'Phone Number',
				name: 'phoneNumber',
				type: 'string',
				default: '',
				placeholder: '+4915112345678',
				description: 'In E.164 form; set on a contact this operation creates',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['contact'], operation: ['getOrCreate'] } }, properties);

/** Contact search pages hold 15 contacts; a few pages are enough for one identifier's substring matches. */
const MAX_SEARCH_PAGES = 5;

/** The contact with exactly this identifier: `GET /contacts/search?q=` matches substrings of name, email, phone and identifier. */
export async function findByIdentifier(this: IExecuteFunctions, identifier: string, itemIndex: number): Promise<IDataObject | undefined> {
	for (let page = 1; page <= MAX_SEARCH_PAGES; page++) {
		const body = await chatwootApi.call(this, { call: 'search contacts', method: 'GET', path: 'contacts/search', qs: { q: identifier, page }, itemIndex });
		const contacts = listOf(body);
		const found = contacts.find((contact) => contact.identifier === identifier);
		if (found || contacts.length === 0) return found;
	}
	return undefined;
}

function sourceIdIn(contactInboxes: unknown, inboxId: string): string | null {
	const list = Array.isArray(contactInboxes) ? (contactInboxes as unknown[]).filter(isObject) : [];
	for (const entry of list) {
		const inbox = isObject(entry.inbox) ? entry.inbox : {};
		const id = textOf(inbox.id ?? entry.inbox_id);
		if (id === inboxId && typeof entry.source_id === 'string' && entry.source_id) return entry.source_id;
	}
	return null;
}

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const identifier = textOf(this.getNodeParameter('identifier', itemIndex, '')).trim();
	if (identifier === '') throw new NodeOperationError(this.getNode(), '"Identifier" is empty', { itemIndex });
	const inboxId = requiredLocatorId.call(this, 'inboxId', 'Inbox', itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const customAttributes = jsonObjectParameter.call(this, 'options.customAttributes', 'Custom Attributes', itemIndex);

	let contact = await findByIdentifier.call(this, identifier, itemIndex);
	let created = false;
	let sourceId: string | null = null;
	if (!contact) {
		const body: IDataObject = { inbox_id: Number(inboxId), identifier };
		const name = textOf(this.getNodeParameter('name', itemIndex, '')).trim();
		const email = textOf(this.getNodeParameter('email', itemIndex, '')).trim();
		const phone = textOf(options.phoneNumber).trim();
		if (name) body.name = name;
		if (email) body.email = email;
		if (phone) body.phone_number = phone;
		if (Object.keys(customAttributes).length > 0) body.custom_attributes = customAttributes;
		const response = await chatwootRequest.call(this, { call: 'create contact', method: 'POST', path: 'contacts', body, itemIndex, acceptStatuses: [422] });
		if (response.statusCode === 422) {
			// Another execution created it meanwhile (the identifier is unique in the account): take that one.
			contact = await findByIdentifier.call(this, identifier, itemIndex);
			if (!contact) {
				throw platformApiError(this.getNode(), { platform: 'Chatwoot', call: 'create contact', method: 'POST', path: '/contacts', status: 422, platformMessage: chatwootErrorText(response.body), body: response.body, itemIndex });
			}
		} else {
			// `{payload: {contact, contact_inbox: {inbox, source_id}}}`.
			const payload = payloadOf(response.body);
			contact = isObject(payload.contact) ? payload.contact : payload;
			const contactInbox = isObject(payload.contact_inbox) ? payload.contact_inbox : {};
			sourceId = typeof contactInbox.source_id === 'string' && contactInbox.source_id ? contactInbox.source_id : sourceIdIn(contact.contact_inboxes, inboxId);
			created = true;
		}
	}
	const contactId = textOf(contact.id);
	if (contactId === '') throw new NodeOperationError(this.getNode(), 'Chatwoot returned a contact without an ID', { itemIndex });
	sourceId ??= sourceIdIn(contact.contact_inboxes, inboxId);
	if (sourceId === null) {
		// A known contact without an address in this inbox yet. UNCONFIRMED route (docs/platforms/chatwoot.md).
		const contactInbox = payloadOf(
			await chatwootApi.call(this, { call: 'add the contact to the inbox', method: 'POST', path: `contacts/${segment(contactId)}/contact_inboxes`, body: { inbox_id: Number(inboxId) }, itemIndex }),
		);
		sourceId = typeof contactInbox.source_id === 'string' && contactInbox.source_id ? contactInbox.source_id : null;
	}
	if (sourceId === null) {
		throw new NodeOperationError(this.getNode(), `Chatwoot returned no source_id for contact ${contactId} in inbox ${inboxId}`, { itemIndex });
	}
	return { contactId, sourceId, inboxId, identifier, created, contact };
}
