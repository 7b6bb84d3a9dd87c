import { clone, isObject } from '../http';
import { LiveChatChats } from './chats';
import { MAX_UPLOAD_BYTES, fail, lowerId, ok, parseMultipartFile } from './common';
import type { ChatRecord, Ctx, Reply, ThreadRecord } from './common';

/**
 * The Agent Chat API's actions (`/v3.x/agent/action/<action>`), and `upload_file` of both chat
 * APIs.
 */
export abstract class LiveChatAgentApi extends LiveChatChats {
	protected findChatFor(ctx: Ctx, key: 'chat_id' | 'id'): ChatRecord | Reply {
		const id = ctx.body[key];
		if (typeof id !== 'string' || id === '') return fail('validation', `${key} is required`);
		const chat = this.chats.get(id);
		if (!chat) return fail('not_found', 'Chat not found');
		return chat;
	}

	protected agentAction(action: string, ctx: Ctx): Reply {
		const { body } = ctx;
		const requester = ctx.actorId;
		switch (action) {
			case 'list_chats': {
				if (body.page_id !== undefined && (body.filters !== undefined || body.limit !== undefined || body.sort_order !== undefined)) {
					return fail('validation', 'filters, limit and sort_order cannot be used with page_id');
				}
				let state: { filters: any; limit: number; sort: string; offset: number };
				if (body.page_id !== undefined) {
					try {
						state = JSON.parse(Buffer.from(String(body.page_id), 'base64').toString('utf8'));
					} catch {
						return fail('validation', 'Invalid page_id');
					}
				} else {
					const limit = body.limit === undefined ? 10 : Number(body.limit);
					if (!Number.isInteger(limit) || limit < 1 || limit > 100) return fail('validation', 'limit must be between 1 and 100');
					if (body.sort_order !== undefined && !['asc', 'desc'].includes(body.sort_order)) {
						return fail('validation', 'sort_order must be asc or desc');
					}
					state = { filters: body.filters ?? {}, limit, sort: body.sort_order ?? 'desc', offset: 0 };
				}
				const filters = isObject(state.filters) ? state.filters : {};
				let list = [...this.chats.values()];
				if (typeof filters.active === 'boolean') list = list.filter((c) => Boolean(this.activeThread(c)) === filters.active);
				if (Array.isArray(filters.group_ids)) {
					list = list.filter((c) => c.access.group_ids.some((g) => (filters.group_ids as number[]).includes(g)));
				}
				if (isObject(filters.properties)) list = list.filter((c) => this.matchesPropertyFilter(c, filters.properties));
				list.sort((a, b) => (a.touched - b.touched || a.seq - b.seq) * (state.sort === 'asc' ? 1 : -1));
				const page = list.slice(state.offset, state.offset + state.limit);
				const reply: Record<string, unknown> = { chats_summary: page.map((c) => this.summaryJson(c)), found_chats: list.length };
				const encode = (offset: number) => Buffer.from(JSON.stringify({ ...state, offset })).toString('base64');
				if (state.offset + state.limit < list.length) reply.next_page_id = encode(state.offset + state.limit);
				if (state.offset > 0) reply.previous_page_id = encode(Math.max(0, state.offset - state.limit));
				return ok(reply);
			}
			case 'get_chat': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				let thread: ThreadRecord | undefined;
				if (body.thread_id !== undefined) {
					thread = chat.threads.find((t) => t.id === body.thread_id);
					if (!thread) return fail('not_found', 'Thread not found');
				}
				return ok(this.chatJson(chat, thread));
			}
			case 'start_chat':
				return this.startChat(requester, 'agent', body);
			case 'resume_chat':
				return this.resumeChat(requester, 'agent', body);
			case 'deactivate_chat': {
				const chat = this.findChatFor(ctx, 'id');
				if ('status' in chat) return chat;
				return this.deactivateChat(chat, requester, body.ignore_requester_presence === true);
			}
			case 'transfer_chat': {
				const chat = this.findChatFor(ctx, 'id');
				if ('status' in chat) return chat;
				return this.transferChat(chat, requester, { ...body, reason: 'manual' });
			}
			case 'add_user_to_chat': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				if (!this.activeThread(chat)) return fail('chat_inactive');
				if (typeof body.user_id !== 'string') return fail('validation', 'user_id is required');
				if (!['agent', 'customer'].includes(body.user_type)) return fail('validation', 'user_type must be agent or customer');
				if (!['all', 'agents'].includes(body.visibility)) return fail('validation', 'visibility must be all or agents');
				if (body.ignore_requester_presence !== true && !chat.users.some((u) => u.id === requester)) {
					return fail('validation', 'Requester is not present in the chat');
				}
				if (body.user_type === 'customer') {
					if (!this.customers.has(body.user_id)) return fail('not_found', 'Customer not found');
					if (chat.users.some((u) => u.type === 'customer' && u.id !== body.user_id)) {
						return fail('validation', 'Chat already has a customer');
					}
					if (body.visibility !== 'all') return fail('validation', 'customer must be added with visibility all');
				} else if (!this.agents.has(body.user_id) && !this.bots.has(body.user_id)) {
					return fail('not_found', 'Agent not found');
				}
				this.addUser(chat, body.user_id, body.user_type, body.visibility);
				this.emit('user_added_to_chat', {
					chat_id: chat.id,
					thread_id: this.activeThread(chat)!.id,
					user: this.userJson(chat.users.find((u) => u.id === body.user_id)!),
					reason: 'manual',
					requester_id: requester,
				}, chat);
				return ok({});
			}
			case 'send_event': {
				const chat = this.findChatFor(ctx, 'chat_id');
				if ('status' in chat) return chat;
				return this.sendEvent(chat, requester, body.event);
			}
			case 'update_chat_properties': {
				const chat = this.findChatFor(ctx, 'id');
				if ('status' in chat) return chat;
				if (!isObject(body.properties)) return fail('validation', 'properties is required');
				const propertyError = this.validateProperties(body.properties);
				if (propertyError) return fail('validation', propertyError);
				for (const [namespace, values] of Object.entries(body.properties)) {
					chat.properties[namespace] = { ...(chat.properties[namespace] ?? {}), ...(values as Record<string, unknown>) };
				}
				this.emit('chat_properties_updated', { chat_id: chat.id, properties: clone(body.properties) }, chat);
				return ok({});
			}
			case 'list_routing_statuses': {
				// Agent Chat API v3.5 list_routing_statuses: `filters.group_ids` (optional) → [{agent_id, status}].
				// Bots are listed too (lc-sdk-js users filter them out by their ID). UNCONFIRMED: offline agents
				// are listed; CHOICE: bots accept chats; the order (agents by ID, then bots) is a CHOICE.
				const filters = isObject(body.filters) ? body.filters : {};
				if (filters.group_ids !== undefined && (!Array.isArray(filters.group_ids) || !filters.group_ids.every((g: unknown) => Number.isInteger(g)))) {
					return fail('validation', 'filters.group_ids must be an array of integers');
				}
				const groupIds = filters.group_ids as number[] | undefined;
				return ok(
					[...this.agents.values()]
						.filter((a) => !groupIds || a.group_ids.some((g) => groupIds.includes(g)))
						.sort((a, b) => a.id.localeCompare(b.id))
						.map((a) => ({ agent_id: a.id, status: this.routingStatusOf(a) }))
						.concat(
							[...this.bots.values()]
								.filter((b) => !groupIds || b.group_ids.some((g) => groupIds.includes(g)))
								.map((b) => ({ agent_id: b.id, status: 'accepting_chats' as const })),
						),
				);
			}
			case 'upload_file':
				return this.uploadFile(ctx);
			default:
				return fail('validation', `Unknown action ${action}`);
		}
	}

	protected uploadFile(ctx: Ctx): Reply {
		const file = parseMultipartFile(ctx.raw, String(ctx.headers['content-type'] ?? ''));
		if (!file) return fail('validation', 'file is required');
		if (file.data.length > MAX_UPLOAD_BYTES) return fail('entity_too_large');
		if (/\.(exe|bat|cmd|msi|sh)$/i.test(file.name)) return fail('validation', 'Executable files are rejected');
		const url = `${this.baseUrl}/cdn/${lowerId(16)}/${encodeURIComponent(file.name)}`;
		this.files.set(url, { name: file.name, contentType: file.contentType, data: Buffer.from(file.data) });
		return ok({ url });
	}
}
