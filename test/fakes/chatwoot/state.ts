import * as http from 'http';

import { Outbox, Router, Timers } from '../http';
import { MESSAGE_TYPE_NUMBER, compareVersions, defaultWorkingHours, iso, secs } from './common';
import type {
	AccountRecord,
	AgentBotRecord,
	AttachmentRecord,
	ChatwootApiCall,
	ChatwootDeliveryAttempt,
	ChatwootSimulatorOptions,
	ContactInboxRecord,
	ContactRecord,
	ConversationRecord,
	InboxRecord,
	MessageRecord,
	RouteDef,
	SenderRef,
	TeamRecord,
	UserRecord,
	WebhookRecord,
} from './common';

/**
 * What the simulated Chatwoot server holds (accounts, users, teams, inboxes, agent bots, contacts,
 * conversations and their messages, webhooks) and the JSON views its API and its webhooks answer
 * with. The bottom layer of ChatwootSimulator: deliveries.ts → conversations.ts → server.ts →
 * applicationApi.ts → publicApi.ts → simulator.ts.
 */
export abstract class ChatwootState {
	/** Set by the constructor (simulator.ts). */
	protected options!: Required<ChatwootSimulatorOptions>;
	protected server: http.Server | undefined;
	protected port = 0;
	protected router = new Router<RouteDef>();
	protected timers = new Timers();
	protected outbox = new Outbox();
	protected stopped = false;

	protected accounts = new Map<number, AccountRecord>();
	protected users = new Map<number, UserRecord>();
	protected teams = new Map<number, TeamRecord>();
	protected inboxes = new Map<number, InboxRecord>();
	protected agentBots = new Map<number, AgentBotRecord>();
	protected contacts = new Map<number, ContactRecord>();
	protected contactInboxes = new Map<number, ContactInboxRecord>();
	protected conversations = new Map<number, ConversationRecord>();
	protected messages = new Map<number, MessageRecord>();
	protected attachments = new Map<string, AttachmentRecord>();
	protected webhooks = new Map<number, WebhookRecord>();
	protected calls: ChatwootApiCall[] = [];
	protected attempts: ChatwootDeliveryAttempt[] = [];
	protected pendingDeliveries = 0;
	/** Rack::Attack windows: key → count. */
	protected throttles = new Map<string, number>();
	/** One sequence per table, as database ids. */
	private sequences = new Map<string, number>();

	protected nextId(table: string): number {
		const n = (this.sequences.get(table) ?? 0) + 1;
		this.sequences.set(table, n);
		return n;
	}

	protected resetSequences(): void {
		this.sequences.clear();
	}

	protected resolveOptions(options: ChatwootSimulatorOptions): Required<ChatwootSimulatorOptions> {
		return {
			port: options.port ?? 0,
			host: options.host ?? '127.0.0.1',
			timeScale: options.timeScale ?? 1,
			version: options.version ?? '4.13.0',
			hookTimeoutMs: options.hookTimeoutMs ?? 5000,
			rateLimitPerMinute: options.rateLimitPerMinute ?? 3000,
			contactSearchPerMinute: options.contactSearchPerMinute ?? 100,
			faults: options.faults ?? { rate: 0 },
		};
	}

	get baseUrl(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	protected versionAtLeast(version: string): boolean {
		return compareVersions(this.options.version, version) >= 0;
	}

	// ---------------------------------------------------------------- lookups

	protected conversationByDisplayId(accountId: number, displayId: number): ConversationRecord | undefined {
		return [...this.conversations.values()].find((c) => c.accountId === accountId && c.displayId === displayId);
	}

	protected messagesOf(conversation: ConversationRecord): MessageRecord[] {
		return [...this.messages.values()]
			.filter((m) => m.conversationId === conversation.id)
			.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
	}

	protected accountUsers(accountId: number): UserRecord[] {
		return [...this.users.values()].filter((u) => u.roles.has(accountId));
	}

	// ---------------------------------------------------------------- views: push_event_data (API answers, conversation meta)

	protected contactPushData(c: ContactRecord): Record<string, unknown> {
		return {
			additional_attributes: { ...c.additionalAttributes },
			custom_attributes: { ...c.customAttributes },
			email: c.email,
			id: c.id,
			identifier: c.identifier,
			name: c.name,
			phone_number: c.phoneNumber,
			thumbnail: '',
			blocked: c.blocked,
			type: 'contact',
		};
	}

	protected userPushData(u: UserRecord): Record<string, unknown> {
		return {
			id: u.id,
			name: u.name,
			available_name: u.name,
			avatar_url: '',
			type: 'user',
			availability_status: u.availability,
			thumbnail: '',
		};
	}

	protected botPushData(b: AgentBotRecord): Record<string, unknown> {
		return { id: b.id, name: b.name, avatar_url: '', type: 'agent_bot' };
	}

	protected senderPushData(sender: SenderRef): Record<string, unknown> | undefined {
		if (!sender) return undefined;
		if (sender.type === 'User') {
			const u = this.users.get(sender.id);
			return u ? this.userPushData(u) : undefined;
		}
		if (sender.type === 'AgentBot') {
			const b = this.agentBots.get(sender.id);
			return b ? this.botPushData(b) : undefined;
		}
		const c = this.contacts.get(sender.id);
		return c ? this.contactPushData(c) : undefined;
	}

	protected teamPushData(t: TeamRecord): Record<string, unknown> {
		return { id: t.id, name: t.name };
	}

	protected attachmentJson(a: AttachmentRecord): Record<string, unknown> {
		const url = `${this.baseUrl}/rails/active_storage/blobs/redirect/${a.key}/${encodeURIComponent(a.fileName)}`;
		return {
			id: a.id,
			message_id: a.messageId,
			file_type: a.fileType,
			account_id: a.accountId,
			extension: a.fileName.includes('.') ? a.fileName.split('.').pop() : null,
			data_url: url,
			thumb_url: a.fileType === 'image' ? url : '',
			file_size: a.data.length,
			width: null,
			height: null,
		};
	}

	/** Message#push_event_data (messages in conversation `messages[]`). */
	protected messagePushData(m: MessageRecord): Record<string, unknown> {
		const conversation = this.conversations.get(m.conversationId)!;
		const contactInbox = this.contactInboxes.get(conversation.contactInboxId);
		const out: Record<string, unknown> = {
			id: m.id,
			content: m.content,
			account_id: m.accountId,
			inbox_id: m.inboxId,
			conversation_id: conversation.displayId,
			message_type: MESSAGE_TYPE_NUMBER[m.messageType],
			created_at: secs(m.createdAt),
			updated_at: iso(m.updatedAt),
			private: m.private,
			status: m.status,
			source_id: m.sourceId,
			content_type: m.contentType,
			content_attributes: { ...m.contentAttributes },
			sender_type: m.sender?.type ?? null,
			sender_id: m.sender?.id ?? null,
			external_source_ids: {},
			additional_attributes: {},
			conversation: {
				assignee_id: conversation.assigneeId,
				unread_count: this.unreadCount(conversation),
				last_activity_at: secs(conversation.lastActivityAt),
				contact_inbox: { source_id: contactInbox?.sourceId ?? null },
			},
		};
		if (m.echoId) out.echo_id = m.echoId;
		if (m.attachments.length > 0) out.attachments = m.attachments.map((a) => this.attachmentJson(a));
		const sender = this.senderPushData(m.sender);
		if (sender) out.sender = sender;
		return out;
	}

	/** api/v1/models/_message.json.jbuilder: what the Application API answers for a message. */
	protected messageJson(m: MessageRecord): Record<string, unknown> {
		const conversation = this.conversations.get(m.conversationId)!;
		const out: Record<string, unknown> = {
			id: m.id,
			content: m.content,
			inbox_id: m.inboxId,
			conversation_id: conversation.displayId,
			message_type: MESSAGE_TYPE_NUMBER[m.messageType],
			content_type: m.contentType,
			status: m.status,
			content_attributes: { ...m.contentAttributes },
			created_at: secs(m.createdAt),
			private: m.private,
			source_id: m.sourceId,
		};
		if (m.echoId) out.echo_id = m.echoId;
		const sender = this.senderPushData(m.sender);
		if (sender) out.sender = sender;
		if (m.attachments.length > 0) out.attachments = m.attachments.map((a) => this.attachmentJson(a));
		return out;
	}

	/** CHOICE: unread = incoming messages since the agents last looked (agent_last_seen_at), at most 10. */
	protected unreadCount(c: ConversationRecord): number {
		return Math.min(
			10,
			this.messagesOf(c).filter((m) => m.messageType === 'incoming' && m.createdAt > (c.agentLastSeenAt ?? 0)).length,
		);
	}

	protected contactInboxJson(ci: ContactInboxRecord): Record<string, unknown> {
		return {
			id: ci.id,
			contact_id: ci.contactId,
			inbox_id: ci.inboxId,
			source_id: ci.sourceId,
			created_at: iso(ci.createdAt),
			updated_at: iso(ci.updatedAt),
			hmac_verified: ci.hmacVerified,
			pubsub_token: ci.pubsubToken,
		};
	}

	/** Conversations::EventDataPresenter#push_data = Conversation#webhook_data. */
	protected conversationPushData(c: ConversationRecord): Record<string, unknown> {
		const inbox = this.inboxes.get(c.inboxId)!;
		const contact = this.contacts.get(c.contactId)!;
		const contactInbox = this.contactInboxes.get(c.contactInboxId)!;
		const assignee = c.assigneeId ? this.users.get(c.assigneeId) : undefined;
		const team = c.teamId ? this.teams.get(c.teamId) : undefined;
		// messages.chat.last: the latest message that is neither an activity nor a private note.
		const last = this.messagesOf(c)
			.filter((m) => m.messageType !== 'activity' && !m.private)
			.pop();
		return {
			additional_attributes: { ...c.additionalAttributes },
			can_reply: true,
			channel: inbox.channelType,
			contact_inbox: this.contactInboxJson(contactInbox),
			id: c.displayId,
			inbox_id: c.inboxId,
			messages: last ? [this.messagePushData(last)] : [],
			labels: [...c.labels],
			meta: {
				sender: this.contactPushData(contact),
				assignee: assignee ? this.userPushData(assignee) : null,
				assignee_type: assignee ? 'User' : null,
				team: team ? this.teamPushData(team) : null,
				hmac_verified: contactInbox.hmacVerified,
			},
			status: c.status,
			custom_attributes: { ...c.customAttributes },
			snoozed_until: c.snoozedUntil ? iso(c.snoozedUntil) : null,
			unread_count: this.unreadCount(c),
			first_reply_created_at: c.firstReplyCreatedAt ? iso(c.firstReplyCreatedAt) : null,
			priority: c.priority,
			waiting_since: secs(c.waitingSince),
			agent_last_seen_at: secs(c.agentLastSeenAt),
			contact_last_seen_at: secs(c.contactLastSeenAt),
			last_activity_at: secs(c.lastActivityAt),
			timestamp: secs(c.lastActivityAt),
			created_at: secs(c.createdAt),
			updated_at: c.updatedAt / 1000,
		};
	}

	/** api/v1/conversations/partials/_conversation.json.jbuilder: the Application API's conversation. */
	protected conversationJson(c: ConversationRecord): Record<string, unknown> {
		const push = this.conversationPushData(c);
		const meta = push.meta as Record<string, unknown>;
		return {
			meta: { sender: meta.sender, channel: push.channel, assignee: meta.assignee, team: meta.team, hmac_verified: meta.hmac_verified },
			id: c.displayId,
			messages: push.messages,
			account_id: c.accountId,
			uuid: c.uuid,
			additional_attributes: push.additional_attributes,
			agent_last_seen_at: push.agent_last_seen_at,
			assignee_last_seen_at: 0,
			can_reply: true,
			contact_last_seen_at: push.contact_last_seen_at,
			custom_attributes: push.custom_attributes,
			inbox_id: c.inboxId,
			labels: push.labels,
			muted: false,
			snoozed_until: push.snoozed_until,
			status: c.status,
			created_at: secs(c.createdAt),
			updated_at: c.updatedAt / 1000,
			timestamp: secs(c.lastActivityAt),
			first_reply_created_at: push.first_reply_created_at,
			unread_count: push.unread_count,
			last_activity_at: secs(c.lastActivityAt),
			priority: c.priority,
			waiting_since: push.waiting_since,
		};
	}

	// ---------------------------------------------------------------- views: webhook_data (webhook bodies)

	protected accountWebhookData(accountId: number): Record<string, unknown> {
		const a = this.accounts.get(accountId)!;
		return { id: a.id, name: a.name };
	}

	protected inboxWebhookData(inbox: InboxRecord): Record<string, unknown> {
		return { id: inbox.id, name: inbox.name };
	}

	/** Sender of a webhook body: Contact / User / AgentBot #webhook_data. */
	protected senderWebhookData(sender: SenderRef): Record<string, unknown> | undefined {
		if (!sender) return undefined;
		if (sender.type === 'User') {
			const u = this.users.get(sender.id);
			return u ? { id: u.id, name: u.name, email: u.email, type: 'user' } : undefined;
		}
		if (sender.type === 'AgentBot') {
			const b = this.agentBots.get(sender.id);
			return b ? { id: b.id, name: b.name, avatar_url: '', type: 'agent_bot' } : undefined;
		}
		const c = this.contacts.get(sender.id);
		if (!c) return undefined;
		return {
			account: this.accountWebhookData(c.accountId),
			additional_attributes: { ...c.additionalAttributes },
			avatar: '',
			custom_attributes: { ...c.customAttributes },
			email: c.email,
			id: c.id,
			identifier: c.identifier,
			name: c.name,
			phone_number: c.phoneNumber,
			thumbnail: '',
			blocked: c.blocked,
			type: 'contact',
		};
	}

	/** Message#webhook_data (the body of message_created / message_updated, before `event`). */
	protected messageWebhookData(m: MessageRecord): Record<string, unknown> {
		const conversation = this.conversations.get(m.conversationId)!;
		const inbox = this.inboxes.get(m.inboxId)!;
		const out: Record<string, unknown> = {
			account: this.accountWebhookData(m.accountId),
			additional_attributes: {},
			content_attributes: { ...m.contentAttributes },
			content_type: m.contentType,
			content: m.content,
			conversation: this.conversationPushData(conversation),
			created_at: iso(m.createdAt),
			id: m.id,
			inbox: this.inboxWebhookData(inbox),
			message_type: m.messageType,
			private: m.private,
			sender: this.senderWebhookData(m.sender) ?? null,
			source_id: m.sourceId,
		};
		if (m.attachments.length > 0) out.attachments = m.attachments.map((a) => this.attachmentJson(a));
		return out;
	}

	// ---------------------------------------------------------------- views: settings

	protected agentJson(u: UserRecord, accountId: number): Record<string, unknown> {
		return {
			id: u.id,
			account_id: accountId,
			availability_status: u.availability,
			auto_offline: true,
			confirmed: true,
			email: u.email,
			available_name: u.name,
			name: u.name,
			role: u.roles.get(accountId),
			thumbnail: '',
			custom_role_id: null,
		};
	}

	protected teamJson(t: TeamRecord, caller?: UserRecord): Record<string, unknown> {
		return {
			id: t.id,
			name: t.name,
			description: t.description,
			allow_auto_assign: t.allowAutoAssign,
			account_id: t.accountId,
			is_member: caller ? t.memberIds.includes(caller.id) : false,
		};
	}

	/** api/v1/models/_inbox.json.jbuilder (the fields a relay reads). */
	protected inboxJson(inbox: InboxRecord, admin: boolean): Record<string, unknown> {
		const out: Record<string, unknown> = {
			id: inbox.id,
			avatar_url: '',
			channel_id: inbox.channelId,
			name: inbox.name,
			channel_type: inbox.channelType,
			greeting_enabled: false,
			greeting_message: null,
			working_hours_enabled: inbox.workingHours?.enabled ?? false,
			working_hours: (inbox.workingHours?.schedule ?? defaultWorkingHours()).map((wh) => ({ ...wh })),
			enable_email_collect: true,
			csat_survey_enabled: false,
			enable_auto_assignment: true,
			allow_messages_after_resolved: true,
			lock_to_single_conversation: false,
			timezone: inbox.workingHours?.timezone ?? 'UTC',
		};
		if (inbox.channelType === 'Channel::Api') {
			out.webhook_url = inbox.webhookUrl ?? null;
			out.inbox_identifier = inbox.identifier;
			out.hmac_mandatory = inbox.hmacMandatory;
			// UNCONFIRMED: which role sees the HMAC token and the signing secret (we show both to administrators).
			if (admin) {
				out.hmac_token = inbox.hmacToken;
				if (this.versionAtLeast('4.13.0')) out.secret = inbox.secret;
			}
		} else {
			out.website_token = inbox.websiteToken;
			out.website_url = 'https://example.com';
		}
		return out;
	}

	protected agentBotJson(b: AgentBotRecord, withToken: boolean): Record<string, unknown> {
		const out: Record<string, unknown> = {
			id: b.id,
			name: b.name,
			description: b.description,
			thumbnail: '',
			outgoing_url: b.outgoingUrl,
			bot_type: 'webhook',
			bot_config: {},
			account_id: b.accountId,
			system_bot: false,
		};
		if (withToken) out.access_token = b.accessToken;
		// UNCONFIRMED: the bot's signing secret is shown to administrators from 4.13.0 (PR #13892).
		if (withToken && this.versionAtLeast('4.13.0')) out.secret = b.secret;
		return out;
	}

	protected webhookJson(w: WebhookRecord): Record<string, unknown> {
		const out: Record<string, unknown> = {
			id: w.id,
			name: w.name,
			url: w.url,
			account_id: w.accountId,
			subscriptions: [...w.subscriptions],
		};
		// Issue #13862: the secret is in the answer from 4.11.2.
		if (this.versionAtLeast('4.11.2')) out.secret = w.secret;
		return out;
	}

	/** api/v1/models/_contact.json.jbuilder (with_contact_inboxes on /contacts routes). */
	protected contactJson(c: ContactRecord, withInboxes = true): Record<string, unknown> {
		const out: Record<string, unknown> = {
			additional_attributes: { ...c.additionalAttributes },
			availability_status: 'offline',
			email: c.email,
			id: c.id,
			name: c.name,
			phone_number: c.phoneNumber,
			blocked: c.blocked,
			identifier: c.identifier,
			thumbnail: '',
			custom_attributes: { ...c.customAttributes },
			last_activity_at: c.lastActivityAt ? secs(c.lastActivityAt) : null,
			created_at: secs(c.createdAt),
		};
		if (withInboxes) {
			out.contact_inboxes = [...this.contactInboxes.values()]
				.filter((ci) => ci.contactId === c.id)
				.map((ci) => this.contactInboxSlimJson(ci));
		}
		return out;
	}

	/** api/v1/models/_contact_inbox.json.jbuilder: `{source_id, inbox}`. */
	protected contactInboxSlimJson(ci: ContactInboxRecord): Record<string, unknown> {
		const inbox = this.inboxes.get(ci.inboxId)!;
		return {
			source_id: ci.sourceId,
			inbox: { id: inbox.id, name: inbox.name, channel_type: inbox.channelType, channel_id: inbox.channelId, avatar_url: '' },
		};
	}
}
