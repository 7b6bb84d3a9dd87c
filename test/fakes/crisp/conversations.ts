import * as crypto from 'crypto';

import { isObject } from '../http';
import { CrispHooks } from './hooks';
import { MESSAGE_TYPES, NOT_FOUND, SESSION_STATES, dispatched, fail, invalidData, ok } from './state';
import type { ConversationRecord, Ctx, From, MessageRecord, MessageType, MessageUser, Reply, RouteDef, SessionState, WebsiteRecord } from './state';

export interface NewMessageInput {
	type: MessageType;
	from: From;
	origin: string;
	content: unknown;
	fingerprint?: number;
	user: MessageUser;
	stealth?: boolean;
	automated?: boolean;
	mentions?: string[];
}

const W = '/v1/website/:website_id';
const C = `${W}/conversation/:session_id`;

/**
 * Conversations and their messages (`/v1/website/{website_id}/conversation…`, node-crisp-api
 * lib/resources/WebsiteConversation.ts; docs references/rest-api/v1), and the operations the app
 * and the helpers share. Each change fires its Web Hook event (`echo`: also for REST writes).
 */
export abstract class CrispConversations extends CrispHooks {
	protected add(method: string, pattern: string, access: RouteDef['access'], handler: RouteDef['handler']): void {
		this.router.add(method, pattern, { access, handler });
	}

	protected registerConversationRoutes(): void {
		this.add('POST', `${W}/conversation`, 'website', (ctx) => ok({ session_id: this.createConversation(ctx.website!).sessionId }));
		this.add('GET', C, 'website', (ctx) => this.withConversation(ctx, (c) => ok(this.conversationJson(c))));
		// HEAD: exists or 404, no body (the server drops it).
		this.add('HEAD', C, 'website', (ctx) => this.withConversation(ctx, () => ok({})));
		this.add('GET', `${C}/meta`, 'website', (ctx) => this.withConversation(ctx, (c) => ok(this.conversationJson(c).meta)));
		this.add('PATCH', `${C}/meta`, 'website', (ctx) => this.withConversation(ctx, (c) => this.patchMeta(c, ctx.body)));
		this.add('GET', `${W}/conversations/:page`, 'website', (ctx) => this.listConversations(ctx));
		this.add('GET', `${C}/messages`, 'website', (ctx) => this.withConversation(ctx, (c) => this.messageBatch(c, ctx.query)));
		this.add('POST', `${C}/message`, 'website', (ctx) => this.withConversation(ctx, (c) => this.postMessage(c, ctx)));
		this.add('GET', `${C}/message/:fingerprint`, 'website', (ctx) =>
			this.withMessage(ctx, (_c, m) => ok(this.messageJson(m))),
		);
		this.add('PATCH', `${C}/message/:fingerprint`, 'website', (ctx) =>
			this.withMessage(ctx, (_c, m) => {
				if (ctx.body.content === undefined) return invalidData('content is required');
				this.updateMessage(m, ctx.body.content, this.options.echoRestWrites);
				return dispatched();
			}),
		);
		this.add('DELETE', `${C}/message/:fingerprint`, 'website', (ctx) =>
			this.withMessage(ctx, (_c, m) => {
				this.removeMessage(m, this.options.echoRestWrites);
				return dispatched();
			}),
		);
		this.add('GET', `${C}/state`, 'website', (ctx) => this.withConversation(ctx, (c) => ok({ state: c.state })));
		this.add('PATCH', `${C}/state`, 'website', (ctx) =>
			this.withConversation(ctx, (c) => {
				if (!SESSION_STATES.includes(ctx.body.state)) return invalidData('state must be pending, unresolved or resolved');
				this.setState(c, ctx.body.state, this.options.echoRestWrites);
				return ok({}, 'updated');
			}),
		);
		this.add('GET', `${C}/routing`, 'website', (ctx) =>
			this.withConversation(ctx, (c) => ok({ assigned: c.assignedUserId ? { user_id: c.assignedUserId } : {} })),
		);
		this.add('PATCH', `${C}/routing`, 'website', (ctx) =>
			this.withConversation(ctx, (c) => {
				const assigned = ctx.body.assigned;
				const userId = isObject(assigned) && typeof assigned.user_id === 'string' ? assigned.user_id : assigned === null ? null : undefined;
				if (userId === undefined) return invalidData('assigned.user_id is required (or assigned: null)');
				// UNCONFIRMED: whether Crisp refuses a user that is not an operator of the website (we do, 400).
				if (userId !== null && !ctx.website!.operators.some((o) => o.userId === userId)) return invalidData('not an operator of this website');
				this.setRouting(c, userId, this.options.echoRestWrites && ctx.body.silent !== true);
				return ok({}, 'updated');
			}),
		);
		this.add('PATCH', `${C}/inbox`, 'website', (ctx) =>
			this.withConversation(ctx, (c) => {
				const inboxId = ctx.body.inbox_id ?? null;
				if (inboxId !== null && !ctx.website!.inboxes.some((i) => i.inboxId === inboxId)) return NOT_FOUND;
				this.setInbox(c, inboxId, this.options.echoRestWrites);
				return ok({}, 'updated');
			}),
		);
		this.add('PATCH', `${C}/compose`, 'website', (ctx) =>
			this.withConversation(ctx, (c) => {
				const { type, from } = ctx.body;
				if ((type !== 'start' && type !== 'stop') || (from !== 'user' && from !== 'operator')) return invalidData('type start|stop and from user|operator');
				this.compose(c, type, from, this.options.echoRestWrites);
				return dispatched();
			}),
		);
		this.add('PATCH', `${C}/read`, 'website', (ctx) =>
			this.withConversation(ctx, (c) => {
				const { from, fingerprints } = ctx.body;
				if (from !== 'user' && from !== 'operator') return invalidData('from must be user or operator');
				// `from` is who read: the user reads the operator's messages, and the other way round.
				const wanted = Array.isArray(fingerprints) ? new Set(fingerprints.map(Number)) : undefined;
				for (const m of this.messagesOf(c.sessionId)) {
					if (m.from !== from && (!wanted || wanted.has(m.fingerprint))) m.read = true;
				}
				return dispatched();
			}),
		);
	}

	// ---------------------------------------------------------------- operations

	protected createConversation(website: WebsiteRecord): ConversationRecord {
		const at = this.now();
		const c: ConversationRecord = {
			sessionId: `session_${crypto.randomUUID()}`,
			websiteId: website.websiteId,
			// CHOICE: a new conversation is pending (no operator has answered), unassigned, in no inbox.
			state: 'pending',
			assignedUserId: null,
			inboxId: null,
			meta: { nickname: `visitor${crypto.randomInt(1000, 9999)}`, email: null, phone: null, avatar: null, subject: null, segments: [], data: {} },
			openedBy: new Set(),
			createdAt: at,
			updatedAt: at,
		};
		this.conversations.set(c.sessionId, c);
		this.messages.set(c.sessionId, []);
		return c;
	}

	private patchMeta(c: ConversationRecord, body: Record<string, any>): Reply {
		const echo = this.options.echoRestWrites;
		const base = { website_id: c.websiteId, session_id: c.sessionId };
		for (const key of ['nickname', 'email', 'phone', 'avatar', 'subject'] as const) {
			if (body[key] === undefined) continue;
			if (body[key] !== null && typeof body[key] !== 'string') return invalidData(`${key} must be a string`);
			if (key === 'email' && body.email && !/^[^@\s]+@[^@\s]+$/.test(body.email)) return invalidData('email is invalid');
			(c.meta as any)[key] = key === 'nickname' ? String(body[key] ?? '') : body[key];
			if (echo && key !== 'avatar') this.emit(c.websiteId, `session:set_${key}`, { ...base, [key]: body[key] });
		}
		if (body.segments !== undefined) {
			if (!Array.isArray(body.segments)) return invalidData('segments must be an array');
			c.meta.segments = body.segments.map(String);
			if (echo) this.emit(c.websiteId, 'session:set_segments', { ...base, segments: [...c.meta.segments] });
		}
		if (body.data !== undefined) {
			if (!isObject(body.data)) return invalidData('data must be an object');
			// CHOICE: PATCH merges the given keys into `data` (the docs name a separate PUT to replace it).
			c.meta.data = { ...c.meta.data, ...body.data };
			if (echo) this.emit(c.websiteId, 'session:set_data', { ...base, data: { ...c.meta.data } });
		}
		c.updatedAt = this.now();
		return ok({}, 'updated');
	}

	private postMessage(c: ConversationRecord, ctx: Ctx): Reply {
		const b = ctx.body;
		if (!MESSAGE_TYPES.includes(b.type)) return invalidData(`type must be one of ${MESSAGE_TYPES.join(', ')}`);
		if (b.from !== 'user' && b.from !== 'operator') return invalidData('from must be user or operator');
		if (typeof b.origin !== 'string' || b.origin === '') return invalidData('origin is required');
		if (b.content === undefined || b.content === null || b.content === '') return invalidData('content is required');
		if ((b.type === 'text' || b.type === 'note') && typeof b.content !== 'string') return invalidData('content must be a string');
		if (b.type === 'file' && !(isObject(b.content) && typeof b.content.url === 'string' && typeof b.content.name === 'string')) {
			return invalidData('file content needs name, url, type');
		}
		if (b.fingerprint !== undefined && !Number.isInteger(b.fingerprint)) return invalidData('fingerprint must be an integer');
		// UNCONFIRMED: a fingerprint already used in the conversation is refused (409).
		if (b.fingerprint !== undefined && this.messagesOf(c.sessionId).some((m) => m.fingerprint === b.fingerprint)) return fail(409, 'message_exists');
		const user: MessageUser =
			b.from === 'user'
				? { user_id: c.sessionId, nickname: c.meta.nickname }
				: // CHOICE: an operator message sent with a token is signed with the token's identifier as user_id.
					{ user_id: ctx.token.pluginId ?? ctx.token.identifier, nickname: isObject(b.user) && typeof b.user.nickname === 'string' ? b.user.nickname : 'Bot' };
		if (isObject(b.user) && typeof b.user.avatar === 'string') user.avatar = b.user.avatar;
		const m = this.addMessage(
			c,
			{
				type: b.type,
				from: b.from,
				origin: b.origin,
				content: b.content,
				fingerprint: b.fingerprint,
				user,
				stealth: b.stealth === true,
				automated: b.automated === true,
				mentions: Array.isArray(b.mentions) ? b.mentions.map(String) : [],
			},
			this.options.echoRestWrites,
		);
		// UNCONFIRMED: the answer carries the message's fingerprint.
		return { status: 202, body: { error: false, reason: 'dispatched', data: { fingerprint: m.fingerprint } } };
	}

	protected addMessage(c: ConversationRecord, input: NewMessageInput, echo = true): MessageRecord {
		const m: MessageRecord = {
			sessionId: c.sessionId,
			websiteId: c.websiteId,
			fingerprint: input.fingerprint ?? crypto.randomInt(1, 2 ** 47),
			type: input.type,
			from: input.from,
			origin: input.origin,
			content: input.content,
			user: input.user,
			stealth: input.stealth ?? false,
			automated: input.automated ?? false,
			mentions: input.mentions ?? [],
			read: false,
			edited: false,
			timestamp: this.now(),
		};
		this.messagesOf(c.sessionId).push(m);
		c.updatedAt = m.timestamp;
		// visitor → message:send, operator (notes and events included) → message:received (Events.ts).
		if (echo) this.emit(c.websiteId, m.from === 'user' ? 'message:send' : 'message:received', this.messageData(m));
		// CHOICE: a visitor writing in a resolved conversation reopens it (unresolved).
		if (m.from === 'user' && c.state === 'resolved') this.setState(c, 'unresolved', echo);
		return m;
	}

	protected updateMessage(m: MessageRecord, content: unknown, echo = true): void {
		m.content = content;
		m.edited = true;
		if (echo) this.emit(m.websiteId, 'message:updated', { website_id: m.websiteId, session_id: m.sessionId, fingerprint: m.fingerprint, content });
	}

	protected removeMessage(m: MessageRecord, echo = true): void {
		const list = this.messagesOf(m.sessionId);
		list.splice(list.indexOf(m), 1);
		if (echo) this.emit(m.websiteId, 'message:removed', { website_id: m.websiteId, session_id: m.sessionId, fingerprint: m.fingerprint });
	}

	protected setState(c: ConversationRecord, state: SessionState, echo = true): void {
		c.state = state;
		c.updatedAt = this.now();
		if (echo) this.emit(c.websiteId, 'session:set_state', { website_id: c.websiteId, session_id: c.sessionId, state });
	}

	protected setRouting(c: ConversationRecord, userId: string | null, echo = true): void {
		const previous = c.assignedUserId;
		c.assignedUserId = userId;
		c.updatedAt = this.now();
		// UNCONFIRMED: the sheet names routing_id / previous_routing_id; we also give `assigned`.
		if (echo) {
			this.emit(c.websiteId, 'session:set_routing', {
				website_id: c.websiteId,
				session_id: c.sessionId,
				routing_id: userId,
				previous_routing_id: previous,
				assigned: userId ? { user_id: userId } : {},
			});
		}
	}

	protected setInbox(c: ConversationRecord, inboxId: string | null, echo = true): void {
		c.inboxId = inboxId;
		if (echo) this.emit(c.websiteId, 'session:set_inbox', { website_id: c.websiteId, session_id: c.sessionId, inbox_id: inboxId });
	}

	protected compose(c: ConversationRecord, type: 'start' | 'stop', from: From, echo = true): void {
		if (echo) {
			this.emit(c.websiteId, from === 'user' ? 'message:compose:send' : 'message:compose:receive', {
				website_id: c.websiteId,
				session_id: c.sessionId,
				type,
				excerpt: '',
				timestamp: Date.now(),
			});
		}
	}

	// ---------------------------------------------------------------- reads

	/**
	 * A batch: the latest `messagesBatchSize` before `timestamp_before` (or after `timestamp_after`), oldest first.
	 * UNCONFIRMED: whether the bounds are strict (here they are) and the order within a batch.
	 */
	private messageBatch(c: ConversationRecord, query: Record<string, string>): Reply {
		const before = query.timestamp_before !== undefined ? Number(query.timestamp_before) : undefined;
		const after = query.timestamp_after !== undefined ? Number(query.timestamp_after) : undefined;
		if ((before !== undefined && !Number.isFinite(before)) || (after !== undefined && !Number.isFinite(after))) return invalidData('timestamps are ms numbers');
		const size = this.options.messagesBatchSize;
		let list = this.messagesOf(c.sessionId).filter((m) => (before === undefined || m.timestamp < before) && (after === undefined || m.timestamp > after));
		// CHOICE: with only timestamp_after, the oldest batch after it (paging forward); else the newest.
		list = after !== undefined && before === undefined ? list.slice(0, size) : list.slice(-size);
		return ok(list.map((m) => this.messageJson(m)));
	}

	/**
	 * `search_type=text` matches message texts, nickname, e-mail and subject; `segment` the segments;
	 * `filter` (UNCONFIRMED syntax) a JSON list of `{criterion, operator: eq|neq, query: [v]}` on meta
	 * fields or `data.<key>`. `filter_resolved/unresolved/assigned/unassigned=1`. Newest first.
	 */
	private listConversations(ctx: Ctx): Reply {
		const page = Number(ctx.params.page);
		if (!Number.isInteger(page) || page < 1) return invalidData('page starts at 1');
		const q = ctx.query;
		let list = [...this.conversations.values()].filter((c) => c.websiteId === ctx.website!.websiteId);
		const query = q.search_query ?? '';
		if (query !== '') {
			if (q.search_type === 'segment') list = list.filter((c) => c.meta.segments.includes(query));
			else if (q.search_type === 'filter') {
				let filters: any;
				try {
					filters = JSON.parse(query);
				} catch {
					return invalidData('search_query is not JSON');
				}
				if (!Array.isArray(filters)) return invalidData('search_query must be a list of filters');
				list = list.filter((c) => filters.every((f: any) => this.matchesFilter(c, f)));
			} else {
				const needle = query.toLowerCase();
				list = list.filter(
					(c) =>
						[c.meta.nickname, c.meta.email, c.meta.subject].some((s) => typeof s === 'string' && s.toLowerCase().includes(needle)) ||
						this.messagesOf(c.sessionId).some((m) => typeof m.content === 'string' && m.content.toLowerCase().includes(needle)),
				);
			}
		}
		const on = (k: string) => q[k] === '1' || q[k] === 'true';
		if (on('filter_resolved')) list = list.filter((c) => c.state === 'resolved');
		// The sheet names it filter_unresolved; Crisp's clients (node-crisp-api's list options, the Python
		// client's search_conversations) send filter_not_resolved: both are taken.
		if (on('filter_unresolved') || on('filter_not_resolved')) list = list.filter((c) => c.state !== 'resolved');
		if (on('filter_assigned')) list = list.filter((c) => c.assignedUserId !== null);
		if (on('filter_unassigned')) list = list.filter((c) => c.assignedUserId === null);
		list.sort((a, b) => b.updatedAt - a.updatedAt);
		const per = Number(q.per_page) > 0 ? Math.min(Number(q.per_page), 50) : this.options.conversationsPerPage;
		return ok(list.slice((page - 1) * per, page * per).map((c) => this.conversationJson(c)));
	}

	private matchesFilter(c: ConversationRecord, f: any): boolean {
		if (!isObject(f) || typeof f.criterion !== 'string') return false;
		const values: unknown[] = Array.isArray(f.query) ? f.query : [f.query];
		const value = f.criterion.startsWith('data.') ? c.meta.data[f.criterion.slice(5)] : (c.meta as any)[f.criterion];
		const hit = values.some((v) => String(v) === String(value));
		return f.operator === 'neq' ? !hit : hit;
	}

	private withConversation(ctx: Ctx, fn: (c: ConversationRecord) => Reply): Reply {
		const c = this.conversations.get(ctx.params.session_id);
		if (!c || c.websiteId !== ctx.website!.websiteId) return NOT_FOUND;
		return fn(c);
	}

	private withMessage(ctx: Ctx, fn: (c: ConversationRecord, m: MessageRecord) => Reply): Reply {
		return this.withConversation(ctx, (c) => {
			const m = this.messagesOf(c.sessionId).find((x) => String(x.fingerprint) === ctx.params.fingerprint);
			return m ? fn(c, m) : NOT_FOUND;
		});
	}
}
