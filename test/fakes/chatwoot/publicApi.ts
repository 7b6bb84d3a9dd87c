import * as crypto from 'crypto';

import { isObject } from '../http';
import { MESSAGE_TYPE_NUMBER, NOT_FOUND, error, ok, secs } from './common';
import type { ContactInboxRecord, ConversationRecord, Ctx, InboxRecord, MessageRecord, Reply } from './common';
import { ChatwootApplicationApi } from './applicationApi';

const INBOX = '/public/api/v1/inboxes/:inbox_identifier';
const open = { access: 'public' as const };

/**
 * The client (public) API of API-channel inboxes: the customer's side, no token; the contact is
 * addressed by the `source_id` its creation answered (docs `channels/api/client-apis.md`).
 */
export abstract class ChatwootPublicApi extends ChatwootApplicationApi {
	protected registerPublicRoutes(): void {
		this.add('POST', `${INBOX}/contacts`, open, (ctx) => {
			const inbox = this.apiInbox(ctx);
			if (!inbox) return NOT_FOUND;
			const b = ctx.body;
			const identifier = b.identifier === undefined || b.identifier === null || b.identifier === '' ? null : String(b.identifier);
			// HMAC identity validation: identifier_hash = hex HMAC-SHA256(inbox hmac_token, identifier).
			const verified =
				identifier !== null &&
				typeof b.identifier_hash === 'string' &&
				b.identifier_hash === crypto.createHmac('sha256', inbox.hmacToken!).update(identifier).digest('hex');
			if (inbox.hmacMandatory && !verified) return error(401, 'HMAC failed: Invalid Identifier Hash Provided');
			// ContactInboxWithContactBuilder: an existing contact with that identifier (or e-mail) is reused.
			const existing = [...this.contacts.values()].find(
				(c) =>
					c.accountId === inbox.accountId &&
					((identifier !== null && c.identifier === identifier) || (typeof b.email === 'string' && b.email !== '' && c.email === b.email.toLowerCase())),
			);
			const contact =
				existing ??
				this.createContactRecord(inbox.accountId, {
					name: typeof b.name === 'string' ? b.name : undefined,
					email: typeof b.email === 'string' ? b.email : null,
					phone_number: typeof b.phone_number === 'string' ? b.phone_number : null,
					identifier,
					custom_attributes: isObject(b.custom_attributes) ? b.custom_attributes : {},
				});
			const ci = this.contactInboxFor(contact, inbox, undefined, verified);
			return ok(this.publicContactJson(ci));
		});

		this.add('GET', `${INBOX}/contacts/:source_id`, open, (ctx) => {
			const ci = this.publicContactInbox(ctx);
			return ci ? ok(this.publicContactJson(ci)) : NOT_FOUND;
		});

		this.add('GET', `${INBOX}/contacts/:source_id/conversations`, open, (ctx) => {
			const ci = this.publicContactInbox(ctx);
			if (!ci) return NOT_FOUND;
			return ok(
				[...this.conversations.values()].filter((c) => c.contactInboxId === ci.id).map((c) => this.publicConversationJson(c)),
			);
		});

		this.add('POST', `${INBOX}/contacts/:source_id/conversations`, open, (ctx) => {
			const ci = this.publicContactInbox(ctx);
			if (!ci) return NOT_FOUND;
			const c = this.createConversationRecord(ci, {
				customAttributes: isObject(ctx.body.custom_attributes) ? ctx.body.custom_attributes : {},
			});
			return ok(this.publicConversationJson(c));
		});

		this.add('GET', `${INBOX}/contacts/:source_id/conversations/:conversation_id/messages`, open, (ctx) =>
			this.withPublicConversation(ctx, (c) =>
				// Public API: what the customer sees, no private notes.
				ok(this.messagesOf(c).filter((m) => !m.private).map((m) => this.publicMessageJson(m))),
			),
		);

		this.add('POST', `${INBOX}/contacts/:source_id/conversations/:conversation_id/messages`, open, (ctx) =>
			this.withPublicConversation(ctx, (c) => {
				const m = this.addMessage(c, {
					messageType: 'incoming',
					content: ctx.body.content === undefined || ctx.body.content === null ? null : String(ctx.body.content),
					sender: { type: 'Contact', id: c.contactId },
					files: ctx.files,
					// `echo_id` comes back over the websocket only (sheet): not in the webhook body.
					echoId: typeof ctx.body.echo_id === 'string' ? ctx.body.echo_id : undefined,
				});
				return ok(this.publicMessageJson(m));
			}),
		);

		this.add('POST', `${INBOX}/contacts/:source_id/conversations/:conversation_id/toggle_status`, open, (ctx) =>
			this.withPublicConversation(ctx, (c) => {
				// UNCONFIRMED: the customer can only resolve.
				this.changeStatus(c, 'resolved', this.contacts.get(c.contactId)?.name ?? null);
				return ok(this.publicConversationJson(c));
			}),
		);
	}

	private apiInbox(ctx: Ctx): InboxRecord | undefined {
		return [...this.inboxes.values()].find((i) => i.channelType === 'Channel::Api' && i.identifier === ctx.params.inbox_identifier);
	}

	private publicContactInbox(ctx: Ctx): ContactInboxRecord | undefined {
		const inbox = this.apiInbox(ctx);
		if (!inbox) return undefined;
		return [...this.contactInboxes.values()].find((ci) => ci.inboxId === inbox.id && ci.sourceId === ctx.params.source_id);
	}

	private withPublicConversation(ctx: Ctx, handler: (c: ConversationRecord) => Reply): Reply {
		const ci = this.publicContactInbox(ctx);
		if (!ci) return NOT_FOUND;
		const c = [...this.conversations.values()].find((x) => x.contactInboxId === ci.id && x.displayId === Number(ctx.params.conversation_id));
		return c ? handler(c) : NOT_FOUND;
	}

	protected publicContactJson(ci: ContactInboxRecord): Record<string, unknown> {
		const c = this.contacts.get(ci.contactId)!;
		return { id: c.id, source_id: ci.sourceId, name: c.name, email: c.email, phone_number: c.phoneNumber, pubsub_token: ci.pubsubToken };
	}

	protected publicConversationJson(c: ConversationRecord): Record<string, unknown> {
		const contact = this.contacts.get(c.contactId)!;
		return {
			id: c.displayId,
			uuid: c.uuid,
			inbox_id: c.inboxId,
			contact_last_seen_at: secs(c.contactLastSeenAt),
			status: c.status,
			agent_last_seen_at: secs(c.agentLastSeenAt),
			messages: this.messagesOf(c)
				.filter((m) => !m.private)
				.map((m) => this.publicMessageJson(m)),
			contact: { id: contact.id, name: contact.name, email: contact.email, phone_number: contact.phoneNumber },
		};
	}

	protected publicMessageJson(m: MessageRecord): Record<string, unknown> {
		const conversation = this.conversations.get(m.conversationId)!;
		const out: Record<string, unknown> = {
			id: m.id,
			content: m.content,
			message_type: MESSAGE_TYPE_NUMBER[m.messageType],
			content_type: m.contentType,
			content_attributes: { ...m.contentAttributes },
			created_at: secs(m.createdAt),
			conversation_id: conversation.displayId,
		};
		if (m.attachments.length > 0) out.attachments = m.attachments.map((a) => this.attachmentJson(a));
		const sender = this.senderPushData(m.sender);
		if (sender) out.sender = sender;
		return out;
	}
}
