import * as crypto from 'crypto';

import { clone, objectId } from '../http';
import { HOOK_MAX_ATTEMPTS, MESSAGE_STATUS, REQUEST_STATUS, hookShouldRetry, nowIso, signJwt } from './common';
import type {
	DeliverableSubscription,
	LeadRecord,
	RequestRecord,
	TiledeskDeliveryAttempt,
	TiledeskDepartment,
	TiledeskMessage,
} from './common';
import { TiledeskState } from './state';

/**
 * What happens to a support request, whichever side acts: routing to an agent or bot, participants,
 * messages and the chat engine's answers, closing and reopening, and the subscription webhooks it
 * triggers.
 */
export abstract class TiledeskRequests extends TiledeskState {
	protected findDepartment(projectId: string, departmentId: string | undefined): TiledeskDepartment | undefined {
		if (departmentId === undefined || departmentId === 'default') {
			return [...this.departments.values()].find((d) => d.id_project === projectId && d.default);
		}
		return this.departments.get(departmentId);
	}

	/**
	 * services/departmentService.js getOperators: the department's bot unless `nobot`; else, for
	 * `assigned` routing, the next available agent after the one who got the latest human request
	 * (round robin); `pooled` routing assigns nobody.
	 */
	protected selectOperator(projectId: string, department: TiledeskDepartment, nobot: boolean): string | undefined {
		if (department.id_bot && !nobot) return `bot_${department.id_bot}`;
		if (department.routing === 'pooled') return undefined;
		const available = this.availableAgents(projectId);
		if (available.length === 0) return undefined;
		const last = [...this.requests.values()]
			.filter((r) => r.id_project === projectId && !r.hasBot && r.status > 100 && r.participants.length > 0)
			.sort((a, b) => b.seq - a.seq)[0];
		// CHOICE: upstream picks a random available agent when there is no previous request; we take the first.
		const lastIndex = last ? available.findIndex((pu) => pu.id_user === last.participants[0]) : -1;
		return available[(lastIndex + 1) % available.length].id_user;
	}

	protected setParticipantsFields(r: RequestRecord, participants: string[]): void {
		r.participants = [...participants];
		r.participantsAgents = participants.filter((p) => !p.startsWith('bot_'));
		r.participantsBots = participants.filter((p) => p.startsWith('bot_')).map((p) => p.slice(4));
		r.hasBot = r.participantsBots.length > 0;
	}

	/** services/requestService.js route(): re-run routing on a department; always emits request.update. */
	protected route(r: RequestRecord, departmentId: string | undefined, nobot: boolean): void {
		const department = this.findDepartment(r.id_project, departmentId);
		if (!department) throw new Error('department not found');
		const operator = this.selectOperator(r.id_project, department, nobot);
		const participants = operator ? [operator] : [];
		const changed =
			r.status !== (operator ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED) ||
			r.department !== department._id ||
			JSON.stringify(r.participants) !== JSON.stringify(participants);
		if (changed) {
			this.setParticipantsFields(r, participants);
			r.status = operator ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED;
			r.department = department._id;
			r.assigned_at = operator ? nowIso() : undefined;
			r.waiting_time = undefined;
			r.snapshotAgents = this.agentIds(r.id_project);
			r.updatedAt = nowIso();
		}
		this.emit(r.id_project, 'request.update', this.requestJson(r));
		this.onParticipantsUpdate(r);
	}

	/** pubmodules/rules/conciergeBot.js welcomeAgentOnJoin: an info line when agents (no bot) get it. */
	protected onParticipantsUpdate(r: RequestRecord, member?: string): void {
		if (r.participants.some((p) => p.startsWith('bot_'))) return;
		if (r.status !== REQUEST_STATUS.ASSIGNED || r.participants.length === 0) return;
		let touchText = (r.first_text ?? '').replace(/[\n\r]+/g, ' ');
		if (touchText.length > 30) touchText = touchText.substring(0, 30);
		if (r.subject) touchText = r.subject;
		touchText = touchText.replace(/\\/g, '');
		this.addMessage(r, {
			sender: 'system',
			senderFullname: 'Bot',
			text: `A new support request has been assigned to you: ${touchText}`,
			createdBy: 'system',
			attributes: {
				subtype: 'info',
				updateconversation: true,
				updateconversationfor: member ? [member] : [...r.participants],
				forcenotification: true,
				messagelabel: { key: 'TOUCHING_OPERATOR' },
			},
		});
	}

	protected addParticipant(r: RequestRecord, member: string): void {
		if (r.participants.includes(member)) return;
		const previous = [...r.participants];
		this.setParticipantsFields(r, [...r.participants, member]);
		r.status = REQUEST_STATUS.ASSIGNED;
		r.assigned_at = nowIso();
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
		// conciergeBot.js: welcome uses the request as it was right after the join (bot still there)...
		const snapshotHasBot = r.participants.some((p) => p.startsWith('bot_'));
		if (!snapshotHasBot) this.onParticipantsUpdate(r, member);
		// ...then, when a human joins, the bot participant leaves.
		if (!member.startsWith('bot_')) {
			for (const bot of previous.filter((p) => p.startsWith('bot_'))) this.removeParticipant(r, bot);
		}
	}

	protected removeParticipant(r: RequestRecord, member: string): void {
		if (!r.participants.includes(member)) return;
		this.setParticipantsFields(
			r,
			r.participants.filter((p) => p !== member),
		);
		// requestService.js: a closed request keeps its status.
		if (r.status !== REQUEST_STATUS.CLOSED) {
			r.status = r.participants.length > 0 ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED;
		}
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
	}

	protected updateWaitingTime(r: RequestRecord): void {
		if (r.waiting_time) return;
		r.waiting_time = Date.now() - Date.parse(r.createdAt);
		r.first_response_at = nowIso();
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
	}

	/**
	 * requestService.js closeRequestByRequestId: status 1000 (request.update), transcript,
	 * closed_at/by, then request.close with the messages; conciergeBot then writes "Chat closed".
	 * Closing a closed request emits request.close again.
	 */
	protected closeRequest(r: RequestRecord, closedBy: string, force = false): void {
		if (r.status === REQUEST_STATUS.CLOSED && !force) {
			this.emitClose(r);
			return;
		}
		r.status = REQUEST_STATUS.CLOSED;
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
		r.transcript = this.messagesOf(r)
			.map((m) => `${m.senderFullname}: ${m.text ?? ''}`)
			.join('\n');
		r.closed_at = nowIso();
		r.closed_by = closedBy;
		r.duration = Date.parse(r.closed_at) - Date.parse(r.createdAt);
		this.emitClose(r);
	}

	private emitClose(r: RequestRecord): void {
		// subscriptionNotifierQueued.js: request.close payload = request + its messages, oldest first.
		const payload = { ...this.requestJson(r), messages: clone(this.messagesOf(r)) };
		this.emit(r.id_project, 'request.close', payload);
		this.addMessage(r, {
			sender: 'system',
			senderFullname: 'Bot',
			text: 'Chat closed',
			createdBy: 'system',
			attributes: { subtype: 'info/support', updateconversation: false, messagelabel: { key: 'CHAT_CLOSED' } },
		});
	}

	protected reopenRequest(r: RequestRecord): void {
		if (r.status === REQUEST_STATUS.ASSIGNED || r.status === REQUEST_STATUS.UNASSIGNED) return;
		r.status = r.participants.length > 0 ? REQUEST_STATUS.ASSIGNED : REQUEST_STATUS.UNASSIGNED;
		r.updatedAt = nowIso();
		this.emit(r.id_project, 'request.update', this.requestJson(r));
		this.addMessage(r, {
			sender: 'system',
			senderFullname: 'Bot',
			text: 'Chat reopened',
			createdBy: 'system',
			attributes: { subtype: 'info/support', updateconversation: true, messagelabel: { key: 'CHAT_REOPENED' } },
		});
	}

	protected leadFor(
		projectId: string,
		leadId: string,
		fullname: string | undefined,
		email: string | undefined,
		attributes: unknown,
	): LeadRecord {
		const existing = this.leads.find((l) => l.id_project === projectId && l.lead_id === leadId);
		if (existing) return existing;
		const now = nowIso();
		const lead: LeadRecord = {
			_id: objectId(),
			lead_id: leadId,
			fullname,
			email,
			attributes,
			id_project: projectId,
			createdBy: 'system',
			status: 100,
			createdAt: now,
			updatedAt: now,
		};
		this.leads.push(lead);
		this.emit(projectId, 'lead.create', clone(lead));
		return lead;
	}

	protected addMessage(
		r: RequestRecord,
		m: {
			sender: string;
			senderFullname?: string;
			text?: string;
			type?: string;
			attributes?: Record<string, unknown>;
			metadata?: Record<string, unknown>;
			status?: number;
			createdBy: string;
			language?: string;
			channel?: { name: string };
		},
	): TiledeskMessage {
		const now = nowIso();
		const message: TiledeskMessage = {
			_id: objectId(),
			sender: m.sender,
			senderFullname: m.senderFullname ?? 'Guest',
			recipient: r.request_id,
			type: m.type ?? 'text',
			channel_type: 'group',
			...(m.text === undefined ? {} : { text: m.text }),
			...(m.language === undefined ? {} : { language: m.language }),
			channel: m.channel ?? { name: 'chat21' },
			id_project: r.id_project,
			status: m.status ?? MESSAGE_STATUS.SENDING,
			...(m.attributes === undefined ? {} : { attributes: clone(m.attributes) }),
			...(m.metadata === undefined ? {} : { metadata: clone(m.metadata) }),
			createdBy: m.createdBy,
			createdAt: now,
			updatedAt: now,
			__v: 0,
		};
		const key = this.key(r.id_project, r.request_id);
		const list = this.messages.get(key) ?? [];
		list.push(message);
		this.messages.set(key, list);
		r.attributes = { ...r.attributes, last_message: clone(message) };
		// event/messageEvent.js: message.create carries the message with its populated request, and
		// message2Event fires the channel-scoped forms. Sheet: it fires for every message.
		const payload = { ...clone(message), request: this.requestJson(r) };
		this.emit(r.id_project, 'message.create', payload);
		this.emit(r.id_project, `message.create.request.channel.${r.channel.name}`, payload);
		this.emit(r.id_project, `message.create.channel.${message.channel.name}`, payload);
		this.scheduleEngine(r, message);
		return message;
	}

	/**
	 * The chat engine (chat21) delivers the message and marks it RECEIVED; then
	 * pubmodules/messageActions/messageActionsInterceptor.js reads the text from its first `\` to the
	 * end: exactly `agent` routes the request to a human, exactly `close` closes it. (So `\agent` must
	 * end the text — the sheet's "last line" — and no other backslash may come before it.)
	 */
	private scheduleEngine(r: RequestRecord, message: TiledeskMessage): void {
		this.pendingEngine += 1;
		this.timers.set(() => {
			this.pendingEngine -= 1;
			if (this.stopped) return;
			message.status = MESSAGE_STATUS.RECEIVED;
			message.updatedAt = nowIso();
			const text = message.text ?? '';
			const start = text.indexOf('\\');
			if (start < 0) return;
			const action = text.substring(start + 1);
			try {
				if (action === 'agent') {
					// With a bot participant upstream calls route() on the request's department (default if
					// none); without one it calls reroute(), which does nothing when there is no department.
					const hasBot = r.participants.some((p) => p.startsWith('bot_'));
					if (hasBot || r.department) this.route(r, r.department, true);
				} else if (action === 'close') {
					this.closeRequest(r, message.sender);
				}
			} catch {
				// Upstream logs the routing error and carries on.
			}
		}, this.options.engineDelayMs * this.options.timeScale);
	}

	// ---------------------------------------------------------------- internals: webhooks

	/** tiledesk-server services/subscriptionNotifier.js findSubscriber: `{event, $or: [{id_project}, {global: true}]}`. */
	protected emit(projectId: string, event: string, payload: unknown): void {
		if (!this.options.resthookEnabled || this.stopped) return;
		for (const s of this.subscriptions) {
			if (s.event !== event || (s.id_project !== projectId && s.global !== true)) continue;
			// UNCONFIRMED: upstream's jwt.sign throws on a subscription without secret (an upserted one).
			if (typeof s.target === 'string' && typeof s.secret === 'string') this.deliver(s as DeliverableSubscription, payload);
		}
	}

	/**
	 * tiledesk-server services/subscriptionNotifier.js notify(): `{timestamp, payload, hook, token}`
	 * + x-hook-secret. `hook` is the subscription without secret and global; `token` is signed with
	 * its secret, a global one's with the server's own (GLOBAL_SECRET) for audience tiledesk.com.
	 */
	private deliver(s: DeliverableSubscription, payload: unknown): void {
		const hook = this.subscriptionJson(s);
		const token = s.global
			? signJwt(hook, this.options.jwtSecret, { iss: 'https://tiledesk.com', sub: 'subscription', aud: 'https://tiledesk.com' })
			: signJwt(hook, s.secret, {
					iss: 'https://tiledesk.com',
					sub: 'subscription',
					aud: `https://tiledesk.com/subscriptions/${s._id}`,
				});
		this.knownSecrets.add(token);
		const body = { timestamp: Date.now(), payload: clone(payload), hook, token };
		const headers: Record<string, string> = {
			'Content-Type': 'application/json',
			'x-hook-secret': s.secret,
			'User-Agent': 'tiledesk-webhooks',
			Origin: this.options.webhookOrigin,
		};
		const deliveryId = crypto.randomUUID();
		let attempt = 0;
		this.pendingDeliveries += 1;
		const run = async (): Promise<void> => {
			attempt += 1;
			const record: TiledeskDeliveryAttempt = {
				deliveryId,
				subscriptionId: s._id,
				event: s.event,
				target: s.target,
				attempt,
				at: Date.now(),
				status: null,
				headers,
				body,
			};
			this.attempts.push(record);
			try {
				const res = await this.outbox.request(s.target, {
					method: 'POST',
					headers,
					body,
					timeoutMs: this.options.hookTimeoutMs,
				});
				record.status = res.status;
			} catch (err) {
				record.error = String((err as Error)?.message ?? err);
			}
			if (this.stopped) return;
			if (hookShouldRetry(record.status) && attempt < HOOK_MAX_ATTEMPTS) {
				const jitter = this.options.retryJitter ? crypto.randomInt(0, 1000) : 0;
				const delay = (2 ** attempt * 1000 + jitter) * this.options.timeScale;
				record.retryInMs = delay;
				this.timers.set(() => void run(), delay);
				return;
			}
			if (hookShouldRetry(record.status)) record.gaveUp = true;
			this.pendingDeliveries -= 1;
		};
		void run();
	}
}
