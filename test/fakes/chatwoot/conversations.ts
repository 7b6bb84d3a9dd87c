import * as crypto from 'crypto';

import { secureToken } from './common';
import type {
	AttachmentRecord,
	ContactInboxRecord,
	ContactRecord,
	ConversationRecord,
	ConversationStatus,
	InboxRecord,
	MessageRecord,
	MessageType,
	SenderRef,
	UploadedFile,
} from './common';
import { fileTypeOf } from './common';
import { ChatwootDeliveries } from './deliveries';

export interface NewMessage {
	messageType: MessageType;
	content?: string | null;
	private?: boolean;
	contentType?: string;
	contentAttributes?: Record<string, unknown>;
	sender: SenderRef;
	files?: UploadedFile[];
	echoId?: string;
	sourceId?: string | null;
}

/**
 * What happens to contacts, conversations and messages whichever side acts (Application API,
 * client API, the simulator's helpers): the model callbacks of app/models/conversation.rb and
 * message.rb that decide statuses and the events they dispatch.
 */
export abstract class ChatwootConversations extends ChatwootDeliveries {
	protected createContactRecord(
		accountId: number,
		input: {
			name?: string;
			email?: string | null;
			phone_number?: string | null;
			identifier?: string | null;
			custom_attributes?: Record<string, unknown>;
			additional_attributes?: Record<string, unknown>;
		},
	): ContactRecord {
		const now = Date.now();
		const contact: ContactRecord = {
			id: this.nextId('contacts'),
			accountId,
			// UNCONFIRMED: a contact created without a name gets a random "adjective-noun-number" name.
			name: input.name || `visitor-${crypto.randomInt(100, 999)}`,
			email: input.email ? input.email.toLowerCase() : null,
			phoneNumber: input.phone_number || null,
			identifier: input.identifier || null,
			customAttributes: { ...(input.custom_attributes ?? {}) },
			additionalAttributes: { ...(input.additional_attributes ?? {}) },
			blocked: false,
			createdAt: now,
			updatedAt: now,
			lastActivityAt: null,
		};
		this.contacts.set(contact.id, contact);
		// contact_created goes to account webhooks only.
		this.emitAccountEvent(accountId, 'contact_created', { ...this.senderWebhookData({ type: 'Contact', id: contact.id })! });
		return contact;
	}

	/** ContactInboxBuilder: the contact's link to an inbox; the source id is a uuid unless one is given. */
	protected contactInboxFor(contact: ContactRecord, inbox: InboxRecord, sourceId?: string, hmacVerified = false): ContactInboxRecord {
		const existing = [...this.contactInboxes.values()].find((ci) => ci.contactId === contact.id && ci.inboxId === inbox.id);
		if (existing && (sourceId === undefined || existing.sourceId === sourceId)) return existing;
		const now = Date.now();
		const ci: ContactInboxRecord = {
			id: this.nextId('contact_inboxes'),
			contactId: contact.id,
			inboxId: inbox.id,
			sourceId: sourceId ?? crypto.randomUUID(),
			hmacVerified,
			pubsubToken: secureToken(),
			createdAt: now,
			updatedAt: now,
		};
		this.contactInboxes.set(ci.id, ci);
		return ci;
	}

	/** An agent bot is connected to the inbox (Inbox#active_bot?). */
	protected hasActiveBot(inbox: InboxRecord): boolean {
		return inbox.agentBotId !== null && this.agentBots.has(inbox.agentBotId);
	}

	protected createConversationRecord(
		contactInbox: ContactInboxRecord,
		input: {
			status?: ConversationStatus;
			assigneeId?: number | null;
			teamId?: number | null;
			customAttributes?: Record<string, unknown>;
			additionalAttributes?: Record<string, unknown>;
		},
	): ConversationRecord {
		const inbox = this.inboxes.get(contactInbox.inboxId)!;
		const contact = this.contacts.get(contactInbox.contactId)!;
		const now = Date.now();
		// conversation.rb determine_conversation_status (before_create): blocked contact → resolved; an
		// agent bot on the inbox → pending, whatever status was asked for.
		let status: ConversationStatus = input.status ?? 'open';
		if (contact.blocked) status = 'resolved';
		else if (this.hasActiveBot(inbox)) status = 'pending';
		const c: ConversationRecord = {
			id: this.nextId('conversations'),
			displayId: this.nextId(`display_ids/${inbox.accountId}`),
			uuid: crypto.randomUUID(),
			accountId: inbox.accountId,
			inboxId: inbox.id,
			contactId: contact.id,
			contactInboxId: contactInbox.id,
			status,
			assigneeId: input.assigneeId ?? null,
			teamId: input.teamId ?? null,
			customAttributes: { ...(input.customAttributes ?? {}) },
			additionalAttributes: { ...(input.additionalAttributes ?? {}) },
			labels: [],
			snoozedUntil: null,
			priority: null,
			createdAt: now,
			updatedAt: now,
			lastActivityAt: now,
			agentLastSeenAt: null,
			contactLastSeenAt: null,
			waitingSince: null,
			firstReplyCreatedAt: null,
		};
		this.conversations.set(c.id, c);
		this.emitConversationEvent(c, 'conversation_created');
		return c;
	}

	protected addMessage(c: ConversationRecord, input: NewMessage): MessageRecord {
		const now = Math.max(Date.now(), ...this.messagesOf(c).map((m) => m.createdAt));
		const m: MessageRecord = {
			id: this.nextId('messages'),
			accountId: c.accountId,
			inboxId: c.inboxId,
			conversationId: c.id,
			content: input.content ?? null,
			messageType: input.messageType,
			contentType: input.contentType || 'text',
			contentAttributes: { ...(input.contentAttributes ?? {}) },
			private: input.private ?? false,
			status: 'sent',
			sourceId: input.sourceId ?? null,
			sender: input.sender,
			attachments: [],
			echoId: input.echoId,
			createdAt: now,
			updatedAt: now,
		};
		for (const file of input.files ?? []) {
			const a: AttachmentRecord = {
				id: this.nextId('attachments'),
				messageId: m.id,
				accountId: c.accountId,
				fileType: fileTypeOf(file.contentType),
				fileName: file.name,
				contentType: file.contentType,
				data: file.data,
				key: secureToken(28),
			};
			m.attachments.push(a);
			this.attachments.set(a.key, a);
		}
		this.messages.set(m.id, m);
		// message.rb execute_after_create_commit_callbacks: reopen, activity time, then the create events.
		this.reopenOnIncoming(c, m);
		c.lastActivityAt = now;
		if (m.sender?.type === 'Contact') {
			const contact = this.contacts.get(m.sender.id);
			if (contact) contact.lastActivityAt = now;
		}
		this.emitMessageEvent(m, 'message_created');
		this.updateWaitingSince(c, m);
		return m;
	}

	/** message.rb reopen_conversation: an incoming message reopens a snoozed conversation, and a resolved one (pending with a bot). */
	private reopenOnIncoming(c: ConversationRecord, m: MessageRecord): void {
		if (m.messageType !== 'incoming') return;
		if (c.status === 'snoozed') this.changeStatus(c, 'open', null);
		else if (c.status === 'resolved') this.changeStatus(c, this.hasActiveBot(this.inboxes.get(c.inboxId)!) ? 'pending' : 'open', null);
	}

	/**
	 * message.rb dispatch_create_events / update_waiting_since (recent servers): the first public reply
	 * of a user sets first_reply_created_at; a customer message starts waiting_since, a public reply
	 * (user or bot) clears it. Each write is a conversation_updated.
	 */
	private updateWaitingSince(c: ConversationRecord, m: MessageRecord): void {
		if (m.private || m.messageType === 'activity') return;
		const human = m.messageType === 'outgoing' && m.sender?.type === 'User';
		const bot = m.messageType === 'outgoing' && m.sender?.type === 'AgentBot';
		const changes: Record<string, [unknown, unknown]> = {};
		if (human && c.firstReplyCreatedAt === null) {
			changes.first_reply_created_at = [null, new Date(m.createdAt).toISOString()];
			c.firstReplyCreatedAt = m.createdAt;
		}
		if ((human || bot) && c.waitingSince !== null) {
			changes.waiting_since = [new Date(c.waitingSince).toISOString(), null];
			c.waitingSince = null;
		}
		if (m.messageType === 'incoming' && c.waitingSince === null) {
			changes.waiting_since = [null, new Date(m.createdAt).toISOString()];
			c.waitingSince = m.createdAt;
		}
		if (Object.keys(changes).length > 0) this.conversationChanged(c, changes);
	}

	/** An update of the conversation: conversation_updated with what changed (conversation.rb list_of_keys). */
	protected conversationChanged(c: ConversationRecord, changes: Record<string, [unknown, unknown]>, savedFrom?: number): void {
		// `savedFrom`: the change was saved already (updated_at moved), its other events went out first.
		const previous = savedFrom ?? c.updatedAt;
		if (savedFrom === undefined) c.updatedAt = Math.max(Date.now(), previous + 1);
		this.emitConversationEvent(c, 'conversation_updated', {
			...changes,
			updated_at: [new Date(previous).toISOString(), new Date(c.updatedAt).toISOString()],
		});
	}

	/**
	 * conversation.rb notify_status_change: conversation_opened / conversation_resolved (agent bot),
	 * conversation_status_changed, conversation_updated; then the activity message naming who did it
	 * (none when nobody did: the system). Returns whether the status changed.
	 */
	protected changeStatus(c: ConversationRecord, status: ConversationStatus, actor: string | null, snoozedUntil?: number | null): boolean {
		if (c.status === status && (snoozedUntil === undefined || snoozedUntil === c.snoozedUntil)) return false;
		const changes: Record<string, [unknown, unknown]> = {};
		if (c.status !== status) changes.status = [c.status, status];
		const newSnooze = status === 'snoozed' ? (snoozedUntil ?? null) : null;
		if (newSnooze !== c.snoozedUntil) {
			changes.snoozed_until = [c.snoozedUntil ? new Date(c.snoozedUntil).toISOString() : null, newSnooze ? new Date(newSnooze).toISOString() : null];
		}
		const statusChanged = c.status !== status;
		c.status = status;
		c.snoozedUntil = newSnooze;
		// The callbacks run after the save (after_update_commit): every event carries the new updated_at.
		const savedFrom = c.updatedAt;
		c.updatedAt = Math.max(Date.now(), savedFrom + 1);
		if (statusChanged) {
			if (status === 'open') this.emitConversationEvent(c, 'conversation_opened');
			if (status === 'resolved') this.emitConversationEvent(c, 'conversation_resolved');
			this.emitConversationEvent(c, 'conversation_status_changed', { status: changes.status });
		}
		this.conversationChanged(c, changes, savedFrom);
		if (statusChanged && actor) {
			// UNCONFIRMED: the wording of conversations.activity.status.* (config/locales/en.yml).
			const wording: Record<ConversationStatus, string> = {
				open: `Conversation was reopened by ${actor}`,
				resolved: `Conversation was marked resolved by ${actor}`,
				pending: `Conversation was marked as pending by ${actor}`,
				snoozed: `Conversation was snoozed by ${actor}`,
			};
			this.addActivity(c, wording[status]);
		}
		return statusChanged;
	}

	protected assignAgent(c: ConversationRecord, assigneeId: number | null, actor: string): void {
		if (c.assigneeId === assigneeId) return;
		const before = c.assigneeId;
		c.assigneeId = assigneeId;
		this.conversationChanged(c, { assignee_id: [before, assigneeId] });
		const assignee = assigneeId ? this.users.get(assigneeId) : undefined;
		// UNCONFIRMED: the wording of conversations.activity.assignee.*.
		this.addActivity(c, assignee ? `Assigned to ${assignee.name} by ${actor}` : `Conversation unassigned by ${actor}`);
	}

	protected assignTeam(c: ConversationRecord, teamId: number | null, actor: string): void {
		if (c.teamId === teamId) return;
		const before = c.teamId;
		c.teamId = teamId;
		this.conversationChanged(c, { team_id: [before, teamId] });
		const team = teamId ? this.teams.get(teamId) : undefined;
		// UNCONFIRMED: the wording of conversations.activity.team.*.
		this.addActivity(c, team ? `Assigned to ${team.name} team by ${actor}` : `Unassigned from team by ${actor}`);
	}

	protected setCustomAttributes(c: ConversationRecord, attributes: Record<string, unknown>): void {
		if (JSON.stringify(attributes) === JSON.stringify(c.customAttributes)) return;
		const before = { ...c.customAttributes };
		c.customAttributes = { ...attributes };
		this.conversationChanged(c, { custom_attributes: [before, { ...attributes }] });
	}

	/** Conversations::ActivityMessageJob: an `activity` message; it is stored, listed, and never sent to a webhook. */
	protected addActivity(c: ConversationRecord, content: string): MessageRecord {
		return this.addMessage(c, { messageType: 'activity', content, sender: null });
	}

	/** Messages::StatusUpdateService 'failed': a change of the message, so message_updated. */
	protected markMessageFailed(m: MessageRecord, error: string): void {
		if (m.status === 'failed' && m.contentAttributes.external_error === error) return;
		m.status = 'failed';
		m.contentAttributes = { ...m.contentAttributes, external_error: error };
		m.updatedAt = Date.now();
		this.emitMessageEvent(m, 'message_updated');
	}
}
