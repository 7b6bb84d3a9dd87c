import * as crypto from 'crypto';

import { isObject } from '../http';
import {
	CONTENT_TYPES,
	CONVERSATION_STATUSES,
	NOT_FOUND,
	WEBHOOK_EVENTS,
	castBool,
	error,
	ok,
	recordInvalid,
	secureToken,
} from './common';
import type { ContactRecord, ConversationRecord, ConversationStatus, Ctx, InboxRecord, MessageType, Reply, SenderRef } from './common';
import { ChatwootServer } from './server';

const ACCOUNT = '/api/v1/accounts/:account_id';
const member = { access: 'account' as const };
const admin = { access: 'account' as const, admin: true };
/** AccessTokenAuthHelper::BOT_ACCESSIBLE_ENDPOINTS. */
const botToo = { access: 'account' as const, bot: true };

/** The Application API (`/api/v1/…`, header `api_access_token`). */
export abstract class ChatwootApplicationApi extends ChatwootServer {
	protected registerApplicationRoutes(): void {
		this.registerProfileRoutes();
		this.registerContactRoutes();
		this.registerConversationRoutes();
		this.registerMessageRoutes();
		this.registerSettingsRoutes();
	}

	private accountId(ctx: Ctx): number {
		return ctx.account!.id;
	}

	private withConversation(handler: (ctx: Ctx, c: ConversationRecord) => Reply): (ctx: Ctx) => Reply {
		return (ctx) => {
			const c = this.conversationByDisplayId(this.accountId(ctx), Number(ctx.params.conversation_id));
			return c ? handler(ctx, c) : NOT_FOUND;
		};
	}

	private withContact(handler: (ctx: Ctx, c: ContactRecord) => Reply): (ctx: Ctx) => Reply {
		return (ctx) => {
			const c = this.contacts.get(Number(ctx.params.contact_id));
			return c && c.accountId === this.accountId(ctx) ? handler(ctx, c) : NOT_FOUND;
		};
	}

	private inboxOf(ctx: Ctx, id: unknown): InboxRecord | undefined {
		const inbox = this.inboxes.get(Number(id));
		return inbox && inbox.accountId === this.accountId(ctx) ? inbox : undefined;
	}

	// ---------------------------------------------------------------- profile

	private registerProfileRoutes(): void {
		// Api::V1::ProfilesController: /api/v1/profile, not under an account.
		this.add('GET', '/api/v1/profile', { access: 'profile' }, (ctx) => {
			const u = (ctx.caller as { kind: 'user'; user: import('./common').UserRecord }).user;
			return ok({
				id: u.id,
				access_token: u.accessToken,
				account_id: [...u.roles.keys()][0] ?? null,
				accounts: [...u.roles.entries()].map(([accountId, role]) => ({
					id: accountId,
					name: this.accounts.get(accountId)?.name,
					status: 'active',
					role,
					availability: u.availability,
					availability_status: u.availability,
					auto_offline: true,
				})),
				available_name: u.name,
				avatar_url: '',
				confirmed: true,
				display_name: null,
				email: u.email,
				name: u.name,
				provider: 'email',
				pubsub_token: secureToken(),
				role: [...u.roles.values()][0] ?? null,
				type: 'user',
				uid: u.email,
				ui_settings: {},
				custom_attributes: {},
			});
		});
	}

	// ---------------------------------------------------------------- contacts

	private registerContactRoutes(): void {
		const list = (contacts: ContactRecord[], page: number): Reply => {
			const per = 15;
			return ok({
				meta: { count: contacts.length, current_page: page },
				payload: contacts.slice((page - 1) * per, page * per).map((c) => this.contactJson(c)),
			});
		};
		this.add('GET', `${ACCOUNT}/contacts`, member, (ctx) =>
			list(
				[...this.contacts.values()].filter((c) => c.accountId === this.accountId(ctx)),
				Math.max(1, Number(ctx.query.page) || 1),
			),
		);
		this.add('GET', `${ACCOUNT}/contacts/search`, member, (ctx) => {
			const q = String(ctx.query.q ?? '').trim().toLowerCase();
			// UNCONFIRMED: the answer to a search without `q`.
			if (q === '') return error(422, 'Specify search string with parameter q');
			// contacts_controller.rb search: name, email, phone number or identifier containing q (ILIKE).
			const found = [...this.contacts.values()].filter(
				(c) =>
					c.accountId === this.accountId(ctx) &&
					[c.name, c.email, c.phoneNumber, c.identifier].some((v) => typeof v === 'string' && v.toLowerCase().includes(q)),
			);
			return list(found, Math.max(1, Number(ctx.query.page) || 1));
		});
		this.add('POST', `${ACCOUNT}/contacts`, member, (ctx) => {
			const b = ctx.body;
			// UNCONFIRMED: the swagger marks inbox_id required; we accept a contact without one (no contact inbox).
			const inbox = b.inbox_id !== undefined && b.inbox_id !== null && b.inbox_id !== '' ? this.inboxOf(ctx, b.inbox_id) : undefined;
			if (b.inbox_id && !inbox) return NOT_FOUND;
			const invalid = this.contactUniqueness(this.accountId(ctx), b.email, b.identifier);
			if (invalid) return invalid;
			const contact = this.createContactRecord(this.accountId(ctx), {
				name: typeof b.name === 'string' ? b.name : undefined,
				email: typeof b.email === 'string' ? b.email : null,
				phone_number: typeof b.phone_number === 'string' ? b.phone_number : null,
				identifier: b.identifier === undefined || b.identifier === null ? null : String(b.identifier),
				custom_attributes: isObject(b.custom_attributes) ? b.custom_attributes : {},
				additional_attributes: isObject(b.additional_attributes) ? b.additional_attributes : {},
			});
			const ci = inbox ? this.contactInboxFor(contact, inbox, typeof b.source_id === 'string' ? b.source_id : undefined) : undefined;
			return ok({
				payload: {
					contact: this.contactJson(contact),
					contact_inbox: { inbox: inbox ? this.inboxJson(inbox, false) : null, source_id: ci?.sourceId ?? null },
				},
			});
		});
		this.add('GET', `${ACCOUNT}/contacts/:contact_id`, member, this.withContact((_ctx, c) => ok({ payload: this.contactJson(c) })));
		const update = this.withContact((ctx, c) => {
			const b = ctx.body;
			const invalid = this.contactUniqueness(c.accountId, b.email, b.identifier, c.id);
			if (invalid) return invalid;
			const changes: Record<string, [unknown, unknown]> = {};
			const set = <K extends keyof ContactRecord>(key: K, attr: string, value: ContactRecord[K]) => {
				if (JSON.stringify(c[key]) === JSON.stringify(value)) return;
				changes[attr] = [c[key], value];
				c[key] = value;
			};
			if (typeof b.name === 'string') set('name', 'name', b.name);
			if (b.email !== undefined) set('email', 'email', b.email ? String(b.email).toLowerCase() : null);
			if (b.phone_number !== undefined) set('phoneNumber', 'phone_number', b.phone_number || null);
			if (b.identifier !== undefined) set('identifier', 'identifier', b.identifier === null ? null : String(b.identifier));
			// contacts_controller.rb: custom attributes are merged into the stored ones.
			if (isObject(b.custom_attributes)) set('customAttributes', 'custom_attributes', { ...c.customAttributes, ...b.custom_attributes });
			if (Object.keys(changes).length > 0) {
				c.updatedAt = Date.now();
				const data: Record<string, unknown> = { ...this.senderWebhookData({ type: 'Contact', id: c.id })! };
				data.changed_attributes = Object.entries(changes).map(([k, [p, v]]) => ({ [k]: { previous_value: p, current_value: v } }));
				this.emitAccountEvent(c.accountId, 'contact_updated', data);
			}
			return ok({ payload: this.contactJson(c) });
		});
		this.add('PUT', `${ACCOUNT}/contacts/:contact_id`, member, update);
		this.add('PATCH', `${ACCOUNT}/contacts/:contact_id`, member, update);
		this.add(
			'GET',
			`${ACCOUNT}/contacts/:contact_id/conversations`,
			member,
			this.withContact((_ctx, contact) =>
				ok({
					payload: [...this.conversations.values()]
						.filter((c) => c.contactId === contact.id)
						.sort((a, b) => b.lastActivityAt - a.lastActivityAt)
						.map((c) => this.conversationJson(c)),
				}),
			),
		);
		// UNCONFIRMED (sheet): the contact joins another inbox; answers the contact inbox.
		this.add(
			'POST',
			`${ACCOUNT}/contacts/:contact_id/contact_inboxes`,
			member,
			this.withContact((ctx, contact) => {
				const inbox = this.inboxOf(ctx, ctx.body.inbox_id);
				if (!inbox) return NOT_FOUND;
				const ci = this.contactInboxFor(contact, inbox, typeof ctx.body.source_id === 'string' ? ctx.body.source_id : undefined);
				return ok(this.contactInboxSlimJson(ci));
			}),
		);
	}

	/** Contact validations: e-mail and identifier are unique in the account (422 record invalid). */
	private contactUniqueness(accountId: number, email: unknown, identifier: unknown, except?: number): Reply | undefined {
		const others = [...this.contacts.values()].filter((c) => c.accountId === accountId && c.id !== except);
		if (typeof email === 'string' && email !== '' && others.some((c) => c.email === email.toLowerCase())) {
			return recordInvalid(['Email has already been taken'], ['email']);
		}
		if (identifier !== undefined && identifier !== null && identifier !== '' && others.some((c) => c.identifier === String(identifier))) {
			return recordInvalid(['Identifier has already been taken'], ['identifier']);
		}
		return undefined;
	}

	// ---------------------------------------------------------------- conversations

	private registerConversationRoutes(): void {
		this.add('GET', `${ACCOUNT}/conversations`, member, (ctx) => {
			const status = ctx.query.status ?? 'open';
			const all = [...this.conversations.values()].filter(
				(c) =>
					c.accountId === this.accountId(ctx) &&
					(status === 'all' || c.status === status) &&
					(!ctx.query.inbox_id || c.inboxId === Number(ctx.query.inbox_id)),
			);
			const me = ctx.caller?.kind === 'user' ? ctx.caller.user.id : -1;
			return ok({
				data: {
					meta: {
						mine_count: all.filter((c) => c.assigneeId === me).length,
						unassigned_count: all.filter((c) => c.assigneeId === null).length,
						all_count: all.length,
					},
					payload: all.sort((a, b) => b.lastActivityAt - a.lastActivityAt).map((c) => this.conversationJson(c)),
				},
			});
		});

		this.add('POST', `${ACCOUNT}/conversations`, botToo, (ctx) => {
			const b = ctx.body;
			let contactInbox;
			// conversations_controller.rb contact_inbox: inbox_id + contact_id build (or find) the link; else source_id alone.
			if (b.inbox_id && b.contact_id) {
				const inbox = this.inboxOf(ctx, b.inbox_id);
				const contact = this.contacts.get(Number(b.contact_id));
				if (!inbox || !contact || contact.accountId !== this.accountId(ctx)) return NOT_FOUND;
				contactInbox = this.contactInboxFor(contact, inbox, b.source_id ? String(b.source_id) : undefined);
			} else {
				contactInbox = [...this.contactInboxes.values()].find(
					(ci) => ci.sourceId === String(b.source_id ?? '') && (!b.inbox_id || ci.inboxId === Number(b.inbox_id)),
				);
				if (!contactInbox || this.inboxes.get(contactInbox.inboxId)?.accountId !== this.accountId(ctx)) return NOT_FOUND;
			}
			if (b.status !== undefined && !CONVERSATION_STATUSES.includes(b.status)) {
				// CHOICE: Rails raises ArgumentError for an unknown enum value; we answer 422 with its message.
				return error(422, `'${b.status}' is not a valid status`);
			}
			// The conversation and its first message are one transaction: a message the builder refuses
			// leaves no conversation behind. CHOICE: answered 422 like POST …/messages (upstream does not rescue it here).
			const firstMessage = isObject(b.message) && (b.message.content || b.message.attachments) ? b.message : undefined;
			const refused = firstMessage ? this.checkMessage(this.inboxes.get(contactInbox.inboxId)!, firstMessage) : undefined;
			if (refused) return refused;
			const accountUsers = this.accountUsers(this.accountId(ctx)).map((u) => u.id);
			const team = b.team_id ? this.teams.get(Number(b.team_id)) : undefined;
			const c = this.createConversationRecord(contactInbox, {
				status: b.status,
				// CHOICE: an assignee or team that is not the account's is left out.
				assigneeId: b.assignee_id && accountUsers.includes(Number(b.assignee_id)) ? Number(b.assignee_id) : null,
				teamId: team && team.accountId === this.accountId(ctx) ? team.id : null,
				customAttributes: isObject(b.custom_attributes) ? b.custom_attributes : {},
				additionalAttributes: isObject(b.additional_attributes) ? b.additional_attributes : {},
			});
			// Messages::MessageBuilder with the caller: outgoing unless message_type says otherwise.
			if (firstMessage) this.buildMessage(ctx, c, firstMessage);
			return ok(this.conversationJson(c));
		});

		this.add('GET', `${ACCOUNT}/conversations/:conversation_id`, member, this.withConversation((_ctx, c) => ok(this.conversationJson(c))));

		// conversations_controller.rb update permits `priority` only.
		this.add(
			'PATCH',
			`${ACCOUNT}/conversations/:conversation_id`,
			botToo,
			this.withConversation((ctx, c) => {
				if (ctx.body.priority !== undefined && ctx.body.priority !== c.priority) {
					const before = c.priority;
					c.priority = ctx.body.priority === null ? null : String(ctx.body.priority);
					this.conversationChanged(c, { priority: [before, c.priority] });
				}
				return ok(this.conversationJson(c));
			}),
		);

		// ConversationCustomAttributesConcern: replaces them (merges with `merge: true`).
		this.add(
			'POST',
			`${ACCOUNT}/conversations/:conversation_id/custom_attributes`,
			botToo,
			this.withConversation((ctx, c) => {
				const given = isObject(ctx.body.custom_attributes) ? ctx.body.custom_attributes : {};
				this.setCustomAttributes(c, castBool(ctx.body.merge) ? { ...c.customAttributes, ...given } : given);
				// UNCONFIRMED: the answer's shape (custom_attributes.json.jbuilder).
				return ok({ custom_attributes: { ...c.customAttributes } });
			}),
		);

		this.add(
			'POST',
			`${ACCOUNT}/conversations/:conversation_id/toggle_status`,
			botToo,
			this.withConversation((ctx, c) => {
				const asked = ctx.body.status;
				let status: ConversationStatus;
				if (asked === undefined || asked === null || asked === '') {
					// Conversation#toggle_status: open ↔ resolved; pending and snoozed open.
					status = c.status === 'open' ? 'resolved' : 'open';
				} else if (CONVERSATION_STATUSES.includes(asked)) {
					status = asked;
				} else {
					return error(422, `'${asked}' is not a valid status`);
				}
				const snoozedUntil = status === 'snoozed' && ctx.body.snoozed_until ? Number(ctx.body.snoozed_until) * 1000 : undefined;
				// An agent bot opening a pending conversation is the handoff (Conversation#bot_handoff!); same events.
				this.changeStatus(c, status, this.actorName(ctx), snoozedUntil);
				return ok({
					meta: {},
					payload: {
						success: true,
						conversation_id: c.displayId,
						current_status: c.status,
						snoozed_until: c.snoozedUntil ? Math.floor(c.snoozedUntil / 1000) : null,
					},
				});
			}),
		);

		this.add(
			'POST',
			`${ACCOUNT}/conversations/:conversation_id/assignments`,
			botToo,
			this.withConversation((ctx, c) => {
				const b = ctx.body;
				if ('assignee_id' in b) {
					// Conversations::AssignmentService: an id that is no agent of the account unassigns.
					const user = b.assignee_id ? this.users.get(Number(b.assignee_id)) : undefined;
					const assignee = user && user.roles.has(c.accountId) ? user : undefined;
					this.assignAgent(c, assignee?.id ?? null, this.actorName(ctx));
					return ok(assignee ? this.agentJson(assignee, c.accountId) : null);
				}
				if ('team_id' in b) {
					const team = b.team_id ? this.teams.get(Number(b.team_id)) : undefined;
					const found = team && team.accountId === c.accountId ? team : undefined;
					this.assignTeam(c, found?.id ?? null, this.actorName(ctx));
					return ok(
						found
							? { id: found.id, name: found.name, description: found.description, allow_auto_assign: found.allowAutoAssign, account_id: found.accountId }
							: null,
					);
				}
				return ok(null);
			}),
		);
	}

	// ---------------------------------------------------------------- messages

	private registerMessageRoutes(): void {
		// Not in BOT_ACCESSIBLE_ENDPOINTS: an agent-bot token cannot read the history.
		this.add(
			'GET',
			`${ACCOUNT}/conversations/:conversation_id/messages`,
			member,
			this.withConversation((ctx, c) => {
				let all = this.messagesOf(c);
				// MessageFinder: filter_internal_messages drops private notes and activity messages.
				if (ctx.query.filter_internal_messages) all = all.filter((m) => !m.private && m.messageType !== 'activity');
				const after = ctx.query.after ? Number(ctx.query.after) : undefined;
				const before = ctx.query.before ? Number(ctx.query.before) : undefined;
				let page;
				if (after !== undefined && before !== undefined) page = all.filter((m) => m.id >= after && m.id < before).slice(0, 1000);
				else if (before !== undefined) page = all.filter((m) => m.id < before).slice(-20);
				else if (after !== undefined) page = all.filter((m) => m.id > after).slice(0, 100);
				else page = all.slice(-20);
				const contact = this.contacts.get(c.contactId)!;
				const assignee = c.assigneeId ? this.users.get(c.assigneeId) : undefined;
				return ok({
					meta: {
						labels: [...c.labels],
						additional_attributes: { ...c.additionalAttributes },
						contact: this.contactPushData(contact),
						assignee: assignee ? this.agentJson(assignee, c.accountId) : null,
						agent_last_seen_at: c.agentLastSeenAt ? new Date(c.agentLastSeenAt).toISOString() : null,
						assignee_last_seen_at: null,
					},
					payload: page.map((m) => this.messageJson(m)),
				});
			}),
		);

		this.add(
			'POST',
			`${ACCOUNT}/conversations/:conversation_id/messages`,
			botToo,
			this.withConversation((ctx, c) => {
				const built = this.buildMessage(ctx, c, ctx.body, ctx.files);
				return 'status' in built ? built : ok(this.messageJson(built.message));
			}),
		);
	}

	/**
	 * Messages::MessageBuilder: `message_type` outgoing (default) or incoming — incoming only in
	 * API-channel inboxes; an outgoing message's sender is the token's owner, an incoming one's the
	 * conversation's contact. Errors are 422 `{error}` (messages_controller.rb rescues StandardError).
	 */
	private buildMessage(
		ctx: Ctx,
		c: ConversationRecord,
		params: Record<string, any>,
		files: import('./common').UploadedFile[] = [],
	): Reply | { message: import('./common').MessageRecord } {
		const refused = this.checkMessage(this.inboxes.get(c.inboxId)!, params);
		if (refused) return refused;
		if (files.length > 15) return recordInvalid(['Attachments exceeded maximum allowed'], ['attachments']);
		const messageType = (params.message_type || 'outgoing') as MessageType;
		const contentType = params.content_type || 'text';
		let sender: SenderRef;
		if (messageType === 'outgoing') {
			sender = ctx.caller?.kind === 'bot' ? { type: 'AgentBot', id: ctx.caller.bot.id } : { type: 'User', id: ctx.caller!.kind === 'user' ? ctx.caller!.user.id : 0 };
		} else {
			sender = { type: 'Contact', id: c.contactId };
		}
		let contentAttributes: Record<string, unknown> = {};
		if (isObject(params.content_attributes)) contentAttributes = params.content_attributes;
		else if (typeof params.content_attributes === 'string' && params.content_attributes !== '') {
			try {
				const parsed = JSON.parse(params.content_attributes);
				if (isObject(parsed)) contentAttributes = parsed;
			} catch {
				return error(422, 'content_attributes must be an object');
			}
		}
		// UNCONFIRMED: the builder keeps content_attributes keys other than items / in_reply_to (the sheet lists the parameter).
		// `source_id` is not a parameter of the builder: an API client cannot set it (sheet: unconfirmed).
		const message = this.addMessage(c, {
			messageType,
			content: params.content === undefined || params.content === null ? null : String(params.content),
			private: castBool(params.private),
			contentType,
			contentAttributes,
			sender,
			files,
			echoId: typeof params.echo_id === 'string' ? params.echo_id : undefined,
		});
		return { message };
	}

	/** What the builder refuses before saving anything: an unknown type, incoming outside API inboxes. */
	private checkMessage(inbox: InboxRecord, params: Record<string, any>): Reply | undefined {
		const messageType = params.message_type || 'outgoing';
		if (!['incoming', 'outgoing', 'activity', 'template'].includes(messageType)) {
			return error(422, `'${messageType}' is not a valid message_type`);
		}
		if (messageType === 'incoming' && inbox.channelType !== 'Channel::Api') {
			return error(422, 'Incoming messages are only allowed in Api inboxes');
		}
		const contentType = params.content_type || 'text';
		if (!(CONTENT_TYPES as readonly string[]).includes(contentType)) return error(422, `'${contentType}' is not a valid content_type`);
		return undefined;
	}

	// ---------------------------------------------------------------- agents, teams, inboxes, webhooks, agent bots

	private registerSettingsRoutes(): void {
		this.add('GET', `${ACCOUNT}/agents`, member, (ctx) => ok(this.accountUsers(this.accountId(ctx)).map((u) => this.agentJson(u, this.accountId(ctx)))));

		const caller = (ctx: Ctx) => (ctx.caller?.kind === 'user' ? ctx.caller.user : undefined);
		this.add('GET', `${ACCOUNT}/teams`, member, (ctx) =>
			ok([...this.teams.values()].filter((t) => t.accountId === this.accountId(ctx)).map((t) => this.teamJson(t, caller(ctx)))),
		);
		// team_members_controller.rb index: the team's users, each as api/v1/models/_agent (availability_status…).
		this.add('GET', `${ACCOUNT}/teams/:team_id/team_members`, member, (ctx) => {
			const t = this.teams.get(Number(ctx.params.team_id));
			if (!t || t.accountId !== this.accountId(ctx)) return NOT_FOUND;
			const accountId = this.accountId(ctx);
			return ok(t.memberIds.map((id) => this.users.get(id)).filter((u) => !!u).map((u) => this.agentJson(u!, accountId)));
		});
		// inbox_members/show.json.jbuilder: `{payload: [user]}` (api/v1/models/_user; here its id, name and availability).
		this.add('GET', `${ACCOUNT}/inbox_members/:inbox_id`, member, (ctx) => {
			const inbox = this.inboxOf(ctx, ctx.params.inbox_id);
			if (!inbox) return NOT_FOUND;
			const accountId = this.accountId(ctx);
			return ok({ payload: (inbox.memberIds ?? []).map((id) => this.users.get(id)).filter((u) => !!u).map((u) => this.agentJson(u!, accountId)) });
		});
		this.add('GET', `${ACCOUNT}/teams/:team_id`, member, (ctx) => {
			const t = this.teams.get(Number(ctx.params.team_id));
			return t && t.accountId === this.accountId(ctx) ? ok(this.teamJson(t, caller(ctx))) : NOT_FOUND;
		});

		const isAdmin = (ctx: Ctx) => ctx.caller?.kind === 'user' && ctx.caller.user.roles.get(this.accountId(ctx)) === 'administrator';
		this.add('GET', `${ACCOUNT}/inboxes`, member, (ctx) =>
			ok({ payload: [...this.inboxes.values()].filter((i) => i.accountId === this.accountId(ctx)).map((i) => this.inboxJson(i, isAdmin(ctx))) }),
		);
		this.add('GET', `${ACCOUNT}/inboxes/:inbox_id`, member, (ctx) => {
			const inbox = this.inboxOf(ctx, ctx.params.inbox_id);
			return inbox ? ok(this.inboxJson(inbox, isAdmin(ctx))) : NOT_FOUND;
		});
		// inboxes_controller.rb create with `channel: {type: 'api', webhook_url}` (only API channels here).
		this.add('POST', `${ACCOUNT}/inboxes`, admin, (ctx) => {
			const channel = isObject(ctx.body.channel) ? ctx.body.channel : {};
			// CHOICE: the simulator creates API channels only.
			if (channel.type !== 'api') return error(422, 'Only API channels can be created in this simulator');
			const inbox = this.createInboxRecord(this.accountId(ctx), {
				name: String(ctx.body.name ?? 'API inbox'),
				channelType: 'Channel::Api',
				webhookUrl: typeof channel.webhook_url === 'string' ? channel.webhook_url : undefined,
			});
			return ok(this.inboxJson(inbox, true));
		});
		this.add('PATCH', `${ACCOUNT}/inboxes/:inbox_id`, admin, (ctx) => {
			const inbox = this.inboxOf(ctx, ctx.params.inbox_id);
			if (!inbox) return NOT_FOUND;
			if (typeof ctx.body.name === 'string') inbox.name = ctx.body.name;
			const channel = isObject(ctx.body.channel) ? ctx.body.channel : {};
			if (inbox.channelType === 'Channel::Api' && 'webhook_url' in channel) inbox.webhookUrl = channel.webhook_url || undefined;
			return ok(this.inboxJson(inbox, true));
		});
		this.add('GET', `${ACCOUNT}/inboxes/:inbox_id/agent_bot`, member, (ctx) => {
			const inbox = this.inboxOf(ctx, ctx.params.inbox_id);
			if (!inbox) return NOT_FOUND;
			const bot = inbox.agentBotId !== null ? this.agentBots.get(inbox.agentBotId) : undefined;
			return ok({ agent_bot: bot ? this.agentBotJson(bot, false) : null });
		});
		// UNCONFIRMED (sheet): `{agent_bot: id}` connects the bot, `{agent_bot: null}` disconnects; head :ok.
		this.add('POST', `${ACCOUNT}/inboxes/:inbox_id/set_agent_bot`, admin, (ctx) => {
			const inbox = this.inboxOf(ctx, ctx.params.inbox_id);
			if (!inbox) return NOT_FOUND;
			if (ctx.body.agent_bot === null || ctx.body.agent_bot === undefined || ctx.body.agent_bot === '') {
				inbox.agentBotId = null;
				return { status: 200 };
			}
			const bot = this.agentBots.get(Number(ctx.body.agent_bot));
			if (!bot || bot.accountId !== inbox.accountId) return NOT_FOUND;
			inbox.agentBotId = bot.id;
			return { status: 200 };
		});

		this.registerWebhookRoutes();
		this.registerAgentBotRoutes();
	}

	private registerWebhookRoutes(): void {
		const validate = (accountId: number, url: unknown, subscriptions: unknown, except?: number): Reply | undefined => {
			if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url)) return recordInvalid(['Url is invalid'], ['url']);
			if ([...this.webhooks.values()].some((w) => w.accountId === accountId && w.url === url && w.id !== except)) {
				return recordInvalid(['Url has already been taken'], ['url']);
			}
			if (!Array.isArray(subscriptions) || subscriptions.length === 0 || subscriptions.some((s) => !WEBHOOK_EVENTS.includes(String(s)))) {
				return recordInvalid(['Subscriptions Invalid events'], ['subscriptions']);
			}
			return undefined;
		};
		this.add('GET', `${ACCOUNT}/webhooks`, admin, (ctx) =>
			ok({ payload: { webhooks: [...this.webhooks.values()].filter((w) => w.accountId === this.accountId(ctx)).map((w) => this.webhookJson(w)) } }),
		);
		this.add('POST', `${ACCOUNT}/webhooks`, admin, (ctx) => {
			const b = isObject(ctx.body.webhook) ? ctx.body.webhook : ctx.body;
			// CHOICE: without subscriptions, every event (the dashboard preselects all).
			const subscriptions = b.subscriptions ?? WEBHOOK_EVENTS;
			const invalid = validate(this.accountId(ctx), b.url, subscriptions);
			if (invalid) return invalid;
			const w = {
				id: this.nextId('webhooks'),
				accountId: this.accountId(ctx),
				name: typeof b.name === 'string' ? b.name : null,
				url: String(b.url),
				subscriptions: (subscriptions as unknown[]).map(String),
				secret: secureToken(),
				createdAt: Date.now(),
			};
			this.webhooks.set(w.id, w);
			return ok({ payload: { webhook: this.webhookJson(w) } });
		});
		const find = (ctx: Ctx) => {
			const w = this.webhooks.get(Number(ctx.params.webhook_id));
			return w && w.accountId === this.accountId(ctx) ? w : undefined;
		};
		const update = (ctx: Ctx): Reply => {
			const w = find(ctx);
			if (!w) return NOT_FOUND;
			const b = isObject(ctx.body.webhook) ? ctx.body.webhook : ctx.body;
			const url = b.url ?? w.url;
			const subscriptions = b.subscriptions ?? w.subscriptions;
			const invalid = validate(w.accountId, url, subscriptions, w.id);
			if (invalid) return invalid;
			w.url = String(url);
			w.subscriptions = (subscriptions as unknown[]).map(String);
			if (b.name !== undefined) w.name = b.name === null ? null : String(b.name);
			return ok({ payload: { webhook: this.webhookJson(w) } });
		};
		this.add('PATCH', `${ACCOUNT}/webhooks/:webhook_id`, admin, update);
		this.add('PUT', `${ACCOUNT}/webhooks/:webhook_id`, admin, update);
		this.add('DELETE', `${ACCOUNT}/webhooks/:webhook_id`, admin, (ctx) => {
			const w = find(ctx);
			if (!w) return NOT_FOUND;
			this.webhooks.delete(w.id);
			return { status: 200 };
		});
	}

	private registerAgentBotRoutes(): void {
		this.add('GET', `${ACCOUNT}/agent_bots`, admin, (ctx) =>
			ok([...this.agentBots.values()].filter((b) => b.accountId === this.accountId(ctx)).map((b) => this.agentBotJson(b, true))),
		);
		this.add('POST', `${ACCOUNT}/agent_bots`, admin, (ctx) => {
			const b = ctx.body;
			if (typeof b.name !== 'string' || b.name === '') return recordInvalid(["Name can't be blank"], ['name']);
			const bot = this.createAgentBotRecord(this.accountId(ctx), {
				name: b.name,
				description: typeof b.description === 'string' ? b.description : '',
				outgoingUrl: typeof b.outgoing_url === 'string' ? b.outgoing_url : '',
			});
			return ok(this.agentBotJson(bot, true));
		});
		const find = (ctx: Ctx) => {
			const bot = this.agentBots.get(Number(ctx.params.bot_id));
			return bot && bot.accountId === this.accountId(ctx) ? bot : undefined;
		};
		this.add('GET', `${ACCOUNT}/agent_bots/:bot_id`, admin, (ctx) => {
			const bot = find(ctx);
			return bot ? ok(this.agentBotJson(bot, true)) : NOT_FOUND;
		});
		const update = (ctx: Ctx): Reply => {
			const bot = find(ctx);
			if (!bot) return NOT_FOUND;
			if (typeof ctx.body.name === 'string') bot.name = ctx.body.name;
			if (typeof ctx.body.description === 'string') bot.description = ctx.body.description;
			if (typeof ctx.body.outgoing_url === 'string') bot.outgoingUrl = ctx.body.outgoing_url;
			return ok(this.agentBotJson(bot, true));
		};
		this.add('PATCH', `${ACCOUNT}/agent_bots/:bot_id`, admin, update);
		this.add('PUT', `${ACCOUNT}/agent_bots/:bot_id`, admin, update);
		this.add('DELETE', `${ACCOUNT}/agent_bots/:bot_id`, admin, (ctx) => {
			const bot = find(ctx);
			if (!bot) return NOT_FOUND;
			this.agentBots.delete(bot.id);
			for (const inbox of this.inboxes.values()) if (inbox.agentBotId === bot.id) inbox.agentBotId = null;
			return { status: 200 };
		});
	}

	// ---------------------------------------------------------------- records the settings routes and the simulator create

	protected createInboxRecord(
		accountId: number,
		input: { name: string; channelType: InboxRecord['channelType']; webhookUrl?: string; hmacMandatory?: boolean },
	): InboxRecord {
		const inbox: InboxRecord = {
			id: this.nextId('inboxes'),
			accountId,
			channelId: this.nextId(input.channelType),
			name: input.name,
			channelType: input.channelType,
			hmacMandatory: input.hmacMandatory ?? false,
			agentBotId: null,
			createdAt: Date.now(),
		};
		if (input.channelType === 'Channel::Api') {
			inbox.identifier = secureToken();
			inbox.webhookUrl = input.webhookUrl;
			inbox.secret = secureToken();
			inbox.hmacToken = secureToken();
		} else {
			inbox.websiteToken = secureToken();
		}
		this.inboxes.set(inbox.id, inbox);
		return inbox;
	}

	protected createAgentBotRecord(accountId: number, input: { name: string; description?: string; outgoingUrl?: string }): import('./common').AgentBotRecord {
		const bot = {
			id: this.nextId('agent_bots'),
			accountId,
			name: input.name,
			description: input.description ?? '',
			outgoingUrl: input.outgoingUrl ?? '',
			accessToken: secureToken(),
			secret: crypto.randomBytes(32).toString('hex'),
			createdAt: Date.now(),
		};
		this.agentBots.set(bot.id, bot);
		return bot;
	}
}
