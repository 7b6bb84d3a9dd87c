import * as http from 'http';

import { clone, isObject, readBody, sendJson } from '../http';
import { REQUIRED_PAYLOAD_KEYS, SUPPORTED_AGENT_TYPES } from './common';
import type { ConversationRecord, Reply } from './common';
import { BotpressState } from './state';

/**
 * The integration's webhook the service calls (agent messages, assignment, the end of HITL), and
 * the HTTP routing.
 */
export abstract class BotpressWebhook extends BotpressState {
	// ---------------------------------------------------------------- internals: service → Botpress (webhook)

	protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = (req.method ?? 'GET').toUpperCase();
		const raw = await readBody(req);
		const path = url.pathname;
		if (path === '/_control' || path.startsWith('/_control/')) {
			await this.handleControl(method, path, raw, res);
			return;
		}
		if (method === 'GET' && path.startsWith('/_media/')) {
			const file = this.media.get(path);
			if (!file) {
				sendJson(res, 404, { message: 'File not found' });
				return;
			}
			res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.data.length });
			res.end(file.data);
			return;
		}
		const [webhookId, ...rest] = path.split('/').filter(Boolean);
		if (webhookId !== this.options.webhookId) {
			// UNCONFIRMED: webhook.botpress.cloud answers an unknown webhook ID with 404.
			sendJson(res, 404, { message: 'Webhook not found', code: 404, type: 'ResourceNotFound' });
			return;
		}
		const route = `/${rest.join('/')}`;
		const reply = this.webhook(method, route, raw, req.headers);
		sendJson(res, reply.status, reply.body);
	}

	private webhook(method: string, route: string, raw: string, headers: http.IncomingHttpHeaders): Reply {
		const record = (status: number, outcome: string, body: unknown): Reply => {
			this.webhookCalls.push({ at: Date.now(), method, path: route, headers, body, status, outcome });
			return { status, body: status >= 400 ? { message: outcome } : undefined };
		};
		// The integration's handler: `if (!req.body) { warn('empty body'); return }`, before any routing.
		if (raw === '') return record(200, 'ignored: empty body', undefined);
		let body: unknown;
		try {
			body = JSON.parse(raw);
		} catch {
			// UNCONFIRMED: a handler that throws (JSON.parse here) is answered 500.
			return record(500, 'Invalid JSON body', raw);
		}
		const routes: Record<string, (body: Record<string, unknown>) => [number, string]> = {
			'/message-from-agent': (b) => this.messageFromAgent(b),
			'/agent-assigned': (b) => this.agentAssigned(b),
			'/stop-hitl': (b) => this.stopHitlFromAgent(b),
		};
		const handler = method === 'POST' ? routes[route] : undefined;
		// UNCONFIRMED: "throw new Error('Route not found')" is answered 500.
		if (!handler) return record(500, 'Route not found', body);
		if (!isObject(body)) return record(400, 'body must be a JSON object', body);
		const [status, outcome] = handler(body);
		return record(status, outcome, body);
	}

	/**
	 * CHOICE: the integration does not validate bodies; Botpress's API then rejects what it cannot
	 * store. The simulator answers 400 with the first problem, against the integration's zod schemas.
	 */
	private missingString(body: Record<string, unknown>, keys: string[]): string | undefined {
		return keys.find((key) => typeof body[key] !== 'string' || body[key] === '');
	}

	/** getOrCreateConversation({tags: {externalId}}): an unknown ID silently makes a new conversation. */
	private byRemoteId(remoteConversationId: string, route: string, body: unknown): ConversationRecord | undefined {
		const found = [...this.conversations.values()].find((c) => c.remoteConversationId === remoteConversationId);
		if (!found) this.orphans.push({ remoteConversationId, path: route, body: clone(body) });
		return found;
	}

	private messageFromAgent(body: Record<string, unknown>): [number, string] {
		const missing = this.missingString(body, ['remoteConversationId', 'remoteUserId', 'messageType']);
		if (missing) return [400, `${missing} must be a non-empty string`];
		if (!isObject(body.payload)) return [400, 'payload must be an object'];
		const type = body.messageType as string;
		const payload = body.payload as Record<string, unknown>;
		const required = REQUIRED_PAYLOAD_KEYS[type];
		if (required) {
			const absent = required.find((key) => typeof payload[key] !== 'string' || payload[key] === '');
			if (absent) return [400, `payload.${absent} must be a non-empty string (messageType ${type})`];
		}
		const conversation = this.byRemoteId(body.remoteConversationId as string, '/message-from-agent', body);
		if (!conversation) return [200, 'orphan: unknown remoteConversationId'];
		// The plugin: "we don't want the bot to chat with the human agent in a closed ticket".
		if (conversation.hitl !== 'active') return [200, 'dropped: handoff not active'];
		// The plugin answers unsupported types with a notice to the agent, and shows nothing.
		if (!SUPPORTED_AGENT_TYPES.includes(type)) return [200, `dropped: unsupported message type ${type}`];
		const agentId = body.remoteUserId as string;
		// The plugin treats the first agent message as the assignment when none came.
		if (!conversation.assigned) {
			conversation.assigned = true;
			conversation.assignedAgentId = agentId;
		}
		this.show(conversation, 'agent', { ...payload, type }, agentId);
		return [200, 'shown'];
	}

	private agentAssigned(body: Record<string, unknown>): [number, string] {
		const missing = this.missingString(body, ['remoteConversationId', 'remoteUserId']);
		if (missing) return [400, `${missing} must be a non-empty string`];
		const conversation = this.byRemoteId(body.remoteConversationId as string, '/agent-assigned', body);
		if (!conversation) return [200, 'orphan: unknown remoteConversationId'];
		if (conversation.hitl !== 'active') return [200, 'dropped: handoff not active'];
		const wasAssigned = conversation.assigned;
		conversation.assigned = true;
		conversation.assignedAgentId = body.remoteUserId as string;
		if (!wasAssigned) this.show(conversation, 'bot', { text: this.options.messages.agentAssigned });
		return [200, 'assigned'];
	}

	private stopHitlFromAgent(body: Record<string, unknown>): [number, string] {
		const missing = this.missingString(body, ['remoteConversationId']);
		if (missing) return [400, `${missing} must be a non-empty string`];
		const conversation = this.byRemoteId(body.remoteConversationId as string, '/stop-hitl', body);
		if (!conversation) return [200, 'orphan: unknown remoteConversationId'];
		if (conversation.hitl !== 'active') return [200, 'ignored: handoff not active'];
		conversation.hitl = 'stopped';
		conversation.endedBy = 'agent';
		// hitlStopped does not call the integration's stopHitl: no /closeRemoteTicket follows.
		this.show(conversation, 'bot', { text: this.options.messages.agentStopped });
		return [200, 'stopped'];
	}

	// The control API (simulator.ts).
	protected abstract handleControl(method: string, path: string, raw: string, res: http.ServerResponse): Promise<void>;
}
