import * as crypto from 'crypto';

import { clone, isObject } from '../http';
import { fail, ok, upperId } from './common';
import type {
	ChatRecord,
	ChatUser,
	LiveChatAgent,
	LiveChatDeliveryAttempt,
	LiveChatWebhook,
	Reply,
	ThreadRecord,
} from './common';
import { LiveChatState } from './state';

/**
 * What happens to chats, whichever API asks (start, resume, events, deactivation, transfer), and
 * the webhooks it triggers.
 */
export abstract class LiveChatChats extends LiveChatState {
	/** Agent Chat API and Customer Chat API `start_chat`. */
	protected startChat(requesterId: string, requesterType: 'agent' | 'customer', body: any): Reply {
		const input = isObject(body?.chat) ? body.chat : {};
		const propertyError = this.validateProperties(input.properties);
		if (propertyError) return fail('validation', propertyError);
		if (isObject(input.thread)) {
			const threadPropertyError = this.validateProperties(input.thread.properties);
			if (threadPropertyError) return fail('validation', threadPropertyError);
		}
		const groupIds: number[] = Array.isArray(input.access?.group_ids) ? input.access.group_ids : [0];
		for (const id of groupIds) {
			if (!Number.isInteger(id) || !this.groups.has(id)) return fail('validation', `Group ${String(id)} not found`);
		}
		const users: ChatUser[] = [{ id: requesterId, type: requesterType, present: true, visibility: 'all' }];
		if (input.users !== undefined) {
			if (!Array.isArray(input.users)) return fail('validation', 'chat.users must be an array');
			let customers = requesterType === 'customer' ? 1 : 0;
			let agents = 0;
			for (const user of input.users) {
				if (!isObject(user) || typeof user.id !== 'string' || !['agent', 'customer'].includes(user.type)) {
					return fail('validation', 'chat.users[] needs id and type (agent, customer)');
				}
				if (user.type === 'customer') {
					if (!this.customers.has(user.id)) return fail('not_found', `Customer ${user.id} not found`);
					customers += 1;
				} else {
					if (!this.agents.has(user.id) && !this.bots.has(user.id)) return fail('not_found', `Agent ${user.id} not found`);
					agents += 1;
				}
				if (!users.some((u) => u.id === user.id)) users.push({ id: user.id, type: user.type, present: true, visibility: 'all' });
			}
			if (customers > 1) return fail('validation', 'Only 1 customer allowed');
			if (agents > 4) return fail('validation', 'Up to 4 additional agents allowed');
		}
		if (requesterType === 'customer') {
			// CHOICE: one chat per customer (the default routing.max_customer_chats_count).
			const existing = [...this.chats.values()].find((c) => c.users.some((u) => u.id === requesterId));
			if (existing) return fail('validation', 'Customer already has a chat; use resume_chat');
		}
		const chat: ChatRecord = {
			id: upperId(),
			users,
			properties: isObject(input.properties) ? clone(input.properties) : {},
			access: { group_ids: groupIds },
			threads: [],
			seq: ++this.chatSeq,
			touched: Date.now(),
		};
		const active = body?.active !== false;
		const thread = this.newThread(chat, chat.access, input.thread?.properties, active);
		const built = this.buildEvents(thread, requesterId, input.thread?.events);
		if (built.error) return built.error;
		thread.events.push(...built.events!);
		if (requesterType === 'customer' && active) this.route(chat, thread, groupIds);
		chat.threads.push(thread);
		this.chats.set(chat.id, chat);
		this.emitIncomingChat(chat, thread);
		const reply: Record<string, unknown> = { chat_id: chat.id, thread_id: thread.id };
		if (built.events!.length > 0) reply.event_ids = built.events!.map((e) => e.id);
		return ok(reply);
	}

	/** Assigns an accepting agent of the groups, or queues the thread. */
	private route(chat: ChatRecord, thread: ThreadRecord, groupIds: number[]): LiveChatAgent | undefined {
		const agent = this.pickAgent(groupIds);
		if (agent) {
			if (!chat.users.some((u) => u.id === agent.id)) chat.users.push({ id: agent.id, type: 'agent', present: true, visibility: 'all' });
			if (!thread.user_ids.includes(agent.id)) thread.user_ids.push(agent.id);
			delete thread.queue;
		} else {
			thread.queue = this.queueFor();
		}
		return agent;
	}

	protected resumeChat(requesterId: string, requesterType: 'agent' | 'customer', body: any): Reply {
		const input = isObject(body?.chat) ? body.chat : {};
		if (typeof input.id !== 'string') return fail('validation', 'chat.id is required');
		const chat = this.chats.get(input.id);
		if (!chat) return fail('not_found', 'Chat not found');
		if (this.activeThread(chat)) return fail('validation', 'Chat is already active');
		const propertyError = this.validateProperties(input.properties);
		if (propertyError) return fail('validation', propertyError);
		if (isObject(input.properties)) {
			for (const [namespace, values] of Object.entries(input.properties)) {
				chat.properties[namespace] = { ...(chat.properties[namespace] ?? {}), ...(values as Record<string, unknown>) };
			}
		}
		if (Array.isArray(input.access?.group_ids)) chat.access = { group_ids: input.access.group_ids };
		if (!chat.users.some((u) => u.id === requesterId)) {
			chat.users.push({ id: requesterId, type: requesterType, present: true, visibility: 'all' });
		}
		const thread = this.newThread(chat, chat.access, input.thread?.properties, body?.active !== false);
		thread.user_ids = [...new Set([requesterId, ...chat.users.filter((u) => u.type === 'customer').map((u) => u.id)])];
		const built = this.buildEvents(thread, requesterId, input.thread?.events);
		if (built.error) return built.error;
		thread.events.push(...built.events!);
		if (requesterType === 'customer') this.route(chat, thread, chat.access.group_ids);
		chat.threads.push(thread);
		chat.touched = Date.now();
		this.emitIncomingChat(chat, thread);
		const reply: Record<string, unknown> = { thread_id: thread.id };
		if (built.events!.length > 0) reply.event_ids = built.events!.map((e) => e.id);
		return ok(reply);
	}

	protected sendEvent(chat: ChatRecord, authorId: string, raw: unknown): Reply {
		const thread = this.activeThread(chat);
		if (!thread) return fail('chat_inactive');
		const checked = this.checkEvent(raw);
		if (checked) return checked;
		const user = chat.users.find((u) => u.id === authorId);
		// Agent Chat API, Send Event: "The user must be added to the chat before they can send an event."
		if (!user) return fail('validation', 'Author is not present in the chat');
		if (user.visibility === 'agents' && (raw as Record<string, unknown>).visibility !== 'agents') {
			return fail('validation', 'Users with visibility agents cannot send events with visibility all');
		}
		const event = this.makeEvent(thread, authorId, raw as Record<string, any>);
		thread.events.push(event);
		chat.touched = Date.now();
		this.emit('incoming_event', { chat_id: chat.id, thread_id: thread.id, event: clone(event) }, chat, user.type);
		return ok({ event_id: event.id });
	}

	protected deactivateChat(chat: ChatRecord, requesterId?: string, ignorePresence = true): Reply {
		const thread = this.activeThread(chat);
		if (!thread) return fail('chat_inactive');
		if (requesterId && !ignorePresence && !chat.users.some((u) => u.id === requesterId)) {
			return fail('validation', 'Requester is not present in the chat');
		}
		thread.active = false;
		delete thread.queue;
		chat.touched = Date.now();
		const payload: Record<string, unknown> = { chat_id: chat.id, thread_id: thread.id };
		if (requesterId) payload.user_id = requesterId;
		this.emit('chat_deactivated', payload, chat);
		return ok({});
	}

	protected transferChat(chat: ChatRecord, requesterId: string, body: any): Reply {
		const thread = this.activeThread(chat);
		if (!thread) return fail('chat_inactive');
		if (body?.ignore_requester_presence !== true && !chat.users.some((u) => u.id === requesterId)) {
			return fail('validation', 'Requester is not present in the chat');
		}
		const target = body?.target ?? { type: 'group', ids: chat.access.group_ids };
		if (!isObject(target) || !['group', 'agent'].includes(target.type as string) || !Array.isArray(target.ids) || target.ids.length === 0) {
			return fail('validation', 'target needs type (group, agent) and ids');
		}
		let assigned: LiveChatAgent | undefined;
		let groupIds = chat.access.group_ids;
		if (target.type === 'group') {
			for (const id of target.ids) if (!this.groups.has(id as number)) return fail('validation', `Group ${String(id)} not found`);
			groupIds = target.ids as number[];
			assigned = this.pickAgent(groupIds);
			// The message Botpress's integration checks for (botpress/growth livechat-hitl, its "transfer_chat" handling).
			if (!assigned && body?.ignore_agents_availability !== true) {
				return fail('validation', 'Cannot assign any agent from requested groups');
			}
		} else {
			const agent = this.agents.get(String(target.ids[0]));
			if (!agent) return fail('not_found', 'Agent not found');
			if (!agent.accepting && body?.ignore_agents_availability !== true) return fail('validation', 'Agent is not available');
			assigned = agent.accepting ? agent : undefined;
		}
		// CHOICE: the agents who had the chat leave it; bots and the customer stay.
		chat.users = chat.users.filter((u) => u.type === 'customer' || this.bots.has(u.id));
		thread.user_ids = thread.user_ids.filter((id) => chat.users.some((u) => u.id === id));
		chat.access = { group_ids: groupIds };
		thread.access = { group_ids: groupIds };
		if (assigned) {
			chat.users.push({ id: assigned.id, type: 'agent', present: true, visibility: 'all' });
			thread.user_ids.push(assigned.id);
			delete thread.queue;
		} else {
			thread.queue = this.queueFor();
		}
		chat.touched = Date.now();
		const payload: Record<string, unknown> = {
			chat_id: chat.id,
			thread_id: thread.id,
			requester_id: requesterId,
			reason: typeof body?.reason === 'string' ? body.reason : 'manual',
			transferred_to: target.type === 'group'
				? { group_ids: groupIds, agent_ids: assigned ? [assigned.id] : [] }
				: { agent_ids: target.ids },
		};
		if (thread.queue) payload.queue = clone(thread.queue);
		this.emit('chat_transferred', payload, chat);
		return ok({});
	}

	// ---------------------------------------------------------------- internals: webhooks

	private emitIncomingChat(chat: ChatRecord, thread: ThreadRecord): void {
		this.emit('incoming_chat', { chat: { ...this.chatJson(chat, thread) } }, chat);
	}

	/** Delivers `action` to every webhook registered for it whose filters match. */
	protected emit(action: string, payload: Record<string, unknown>, chat: ChatRecord, authorType?: 'agent' | 'customer'): void {
		if (this.stopped) return;
		for (const webhook of this.webhooks) {
			if (webhook.action !== action) continue;
			// Docs: license webhooks fire for licenses that installed the app (unless disabled there).
			if (webhook.type === 'license' && !this.licenseWebhooksEnabled(webhook.owner_client_id)) continue;
			const filters = webhook.filters ?? {};
			if (filters.author_type !== undefined && filters.author_type !== authorType) continue;
			const body: Record<string, unknown> = {
				webhook_id: webhook.id,
				secret_key: webhook.secret_key,
				action,
				organization_id: this.organizationId,
				payload: clone(payload),
			};
			const additional: Record<string, unknown> = {};
			if (webhook.additional_data?.includes('chat_properties')) additional.chat_properties = clone(chat.properties);
			if (webhook.additional_data?.includes('chat_presence_user_ids')) {
				additional.chat_presence_user_ids = chat.users.filter((u) => u.present).map((u) => u.id);
			}
			if (Object.keys(additional).length > 0) body.additional_data = additional;
			this.deliver(webhook, body);
		}
	}

	/** One delivery: POSTed until a 200 within `hookTimeoutMs`, retried on the schedule, then given up. */
	private deliver(webhook: LiveChatWebhook, body: Record<string, unknown>): void {
		const deliveryId = crypto.randomUUID();
		let attempt = 0;
		this.pendingDeliveries += 1;
		const run = async (): Promise<void> => {
			attempt += 1;
			const record: LiveChatDeliveryAttempt = {
				deliveryId,
				webhookId: webhook.id,
				action: webhook.action,
				url: webhook.url,
				attempt,
				at: Date.now(),
				status: null,
				body,
			};
			this.attempts.push(record);
			try {
				const res = await this.outbox.request(webhook.url, {
					method: 'POST',
					// CHOICE: the headers LiveChat sends are not documented; the secret is in the body.
					headers: { 'Content-Type': 'application/json', 'User-Agent': 'LiveChat-Webhooks (simulator)' },
					body,
					timeoutMs: this.options.hookTimeoutMs,
				});
				record.status = res.status;
			} catch (err) {
				record.error = String((err as Error)?.message ?? err);
			}
			if (this.stopped) return;
			// Docs: anything but HTTP 200 (within the timeout) is retried.
			const delivered = record.status === 200;
			const retryIndex = attempt - 1;
			if (!delivered && retryIndex < this.options.retryScheduleMs.length) {
				const delay = this.options.retryScheduleMs[retryIndex] * this.options.timeScale;
				record.retryInMs = delay;
				this.timers.set(() => void run(), delay);
				return;
			}
			if (!delivered) record.gaveUp = true;
			this.pendingDeliveries -= 1;
		};
		void run();
	}
}
