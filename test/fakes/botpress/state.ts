import * as http from 'http';

import { Outbox, clone, isObject } from '../http';
import { BotpressHitlError, DEFAULT_MESSAGES, botpressId, inferType, readable } from './common';
import type {
	BotpressServiceCall,
	BotpressSimulatorOptions,
	BotpressUser,
	BotpressVisibleMessage,
	BotpressWebhookCall,
	ConversationRecord,
	ServicePath,
} from './common';

/**
 * The bot's users and conversations, and the calls Botpress makes to the service's five endpoints.
 * The bottom layer of BotpressSimulator: webhook.ts adds the integration's webhook, simulator.ts the
 * scenario methods and the control API.
 */
export abstract class BotpressState {
	/** Set, like serviceHeaders, by the constructor (simulator.ts). */
	protected options!: Required<Omit<BotpressSimulatorOptions, 'messages'>> & { messages: typeof DEFAULT_MESSAGES };
	protected serviceHeaders!: Record<string, string>;
	protected server: http.Server | undefined;
	protected port = 0;
	protected outbox = new Outbox();
	protected endpointBaseUrl: string | null = null;
	protected users = new Map<string, BotpressUser>();
	protected conversations = new Map<string, ConversationRecord>();
	protected serviceCalls: BotpressServiceCall[] = [];
	protected webhookCalls: BotpressWebhookCall[] = [];
	/** Conversations Botpress's getOrCreateConversation made for unknown remote IDs. */
	protected orphans: Array<{ remoteConversationId: string; path: string; body: unknown }> = [];
	/** Files users sent, served under /_media (stands for Botpress's file storage). */
	protected media = new Map<string, { contentType: string; data: Buffer }>();

	// ---------------------------------------------------------------- internals: Botpress → service

	protected requireConversation(id: string): ConversationRecord {
		const conversation = this.conversations.get(id);
		if (!conversation) throw new BotpressHitlError(`unknown conversation ${id}`);
		return conversation;
	}

	protected requireService(): string {
		if (!this.endpointBaseUrl) throw new BotpressHitlError('the integration is not configured: call configure(endpointBaseUrl) first');
		return this.endpointBaseUrl;
	}

	protected show(conversation: ConversationRecord, role: BotpressVisibleMessage['role'], payload: Record<string, unknown>, agentId?: string): BotpressVisibleMessage {
		const type = inferType(payload);
		const { type: _type, ...content } = payload;
		const message: BotpressVisibleMessage = {
			id: botpressId('msg'),
			at: new Date().toISOString(),
			role,
			type,
			payload: content,
			text: readable(type, content),
		};
		if (agentId !== undefined) message.agentId = agentId;
		conversation.messages.push(message);
		return message;
	}

	/** plugins/hitl before-incoming-message `_isHitlCloseCommand`: the text, trimmed, case-insensitive. */
	protected isCloseCommand(payload: Record<string, unknown>): boolean {
		const command = this.options.closeCommand.trim().toLowerCase();
		return command !== '' && typeof payload.text === 'string' && payload.text.trim().toLowerCase() === command;
	}

	/** The integration's channel handler: `botSendsMessage(endpointBaseUrl, tags.externalId, userId | "BOT", payload)`. */
	protected async relay(conversation: ConversationRecord, remoteUserId: string, payload: Record<string, unknown>): Promise<BotpressServiceCall> {
		const { type: _type, ...content } = payload;
		return await this.callService(this.requireService(), 'botSendsMessage', {
			type: 'botSendsMessage',
			remoteConversationId: conversation.remoteConversationId!,
			remoteUserId,
			payload: content,
		});
	}

	/** `CreateRemote…Response.parse(response.data)`: `{id: string}` or Botpress fails the action. */
	protected answeredId(call: BotpressServiceCall): string {
		if (call.error) throw new BotpressHitlError(`${call.path} failed: ${call.error}`, clone(call));
		const body = call.response;
		if (!isObject(body) || typeof body.id !== 'string') {
			call.error = `${call.path} answered ${JSON.stringify(body)}: expected {"id": "<string>"}`;
			throw new BotpressHitlError(call.error, clone(call));
		}
		return body.id;
	}

	/**
	 * axios.post(url, body): JSON, no auth header; any 2xx is a success (CHOICE: the sheet says 200).
	 * Returns the recorded call itself (callers clone it before handing it out).
	 */
	protected async callService(base: string, path: ServicePath, body: Record<string, unknown>): Promise<BotpressServiceCall> {
		const url = `${base}/${path}`;
		const call: BotpressServiceCall = { at: Date.now(), path, url, body: clone(body), status: null, response: undefined };
		this.serviceCalls.push(call);
		try {
			const result = await this.outbox.request(url, {
				method: 'POST',
				headers: { 'User-Agent': 'axios/1.7.7', Accept: 'application/json, text/plain, */*', ...this.serviceHeaders },
				body,
				timeoutMs: this.options.serviceTimeoutMs,
			});
			call.status = result.status;
			call.response = result.body;
			if (result.status < 200 || result.status > 299) call.error = `Request failed with status code ${result.status}`;
		} catch (err) {
			call.error = String((err as Error)?.message ?? err);
		}
		return call;
	}
}
