import * as crypto from 'crypto';

import { isObject } from '../http';
import { END_USER_NAME, bad, closedConversation, fail, noSession, notFound } from './common';
import type { ConversationRecord, Ctx, EntryRecord, Reply, TokenRecord } from './common';
import { EnhancedChatAuthApi } from './authApi';
import { parseMultipart } from '../http';
import { isLowerUuidV4 } from './wire';

/** `limit` of /entries and /conversation/list. */
const LIST_LIMIT = { default: 20, max: 50 };

/**
 * The conversation calls (`/iamessage/api/v2/conversation...`), all with a Bearer token: create,
 * send a message or a file, typing, acknowledgements, status, list, entries, close, end session.
 */
export abstract class EnhancedChatConversationApi extends EnhancedChatAuthApi {
	/** CHOICE: another end user's conversation is a 404, like an unknown one. */
	protected owned(ctx: Ctx, token: TokenRecord, forWrite: boolean): ConversationRecord | Reply {
		const conversation = this.records.get(ctx.params.id);
		if (!conversation || conversation.subject !== token.subject) return notFound();
		if (forWrite && conversation.closed) return closedConversation();
		return conversation;
	}

	protected createConversation(ctx: Ctx, token: TokenRecord): Reply {
		const body = ctx.body;
		if (!isObject(body)) return bad('Request body must be a JSON object');
		if (!isLowerUuidV4(body.conversationId)) return bad('conversationId must be a lowercase UUID v4');
		if (body.esDeveloperName !== this.options.deploymentName) return bad('Invalid esDeveloperName');
		if (body.routingAttributes !== undefined && !isObject(body.routingAttributes)) return bad('routingAttributes must be an object');
		// CHOICE (UNCONFIRMED): an id that exists is a 409, nothing changed; also for the same end user.
		if (this.records.has(body.conversationId)) return fail(409, 'Conversation already exists');
		const now = Date.now();
		const conversation: ConversationRecord = {
			id: body.conversationId,
			subject: token.subject,
			esDeveloperName: body.esDeveloperName,
			createdAt: now,
			routingStatus: 'INITIAL',
			closed: false,
			sessions: [],
			participants: [{ role: 'EndUser', subject: token.subject, displayName: END_USER_NAME, appType: 'iamessage' }],
			entries: [],
			lastTimestamp: 0,
			routingTimer: null,
			pendingRoutingType: null,
			transferQueue: null,
			customerTyping: false,
			language: null,
			acks: [],
		};
		this.records.set(conversation.id, conversation);
		this.newSession(conversation, body.routingAttributes ?? null);
		// CHOICE: 201 with {conversationId} (CW's ConversationCreateResponse).
		return { status: 201, body: { conversationId: conversation.id } };
	}

	/** A messaging session opens and routing starts (INITIAL → RoutingResult → NEEDS_ROUTING). */
	protected newSession(conversation: ConversationRecord, routingAttributes: Record<string, unknown> | null): void {
		conversation.sessions.push({
			id: crypto.randomUUID(),
			status: 'Active',
			endedByRole: null,
			routingAttributes,
			startedAt: Date.now(),
			endedAt: null,
		});
		conversation.routingStatus = 'INITIAL';
		conversation.transferQueue = null;
		this.startRouting(conversation, 'Initial');
	}

	/**
	 * The sheet: 417 when no messaging session exists; the same message with isNewMessagingSession
	 * opens one. CHOICE: a refused message is not recorded (SA resends it); isNewMessagingSession on
	 * an active session is ignored.
	 */
	private sessionGate(conversation: ConversationRecord, body: Record<string, any>): Reply | undefined {
		if (this.sessionActive(conversation)) return undefined;
		if (body.isNewMessagingSession !== true) return noSession();
		this.newSession(conversation, isObject(body.routingAttributes) ? body.routingAttributes : null);
		return undefined;
	}

	private accepted(entry: EntryRecord): Reply {
		// The sheet: 202 (VG), {conversationEntries: [{id, clientTimestamp}]} (CW).
		return { status: 202, body: { conversationEntries: [{ id: entry.identifier, clientTimestamp: entry.clientTimestamp }] } };
	}

	private checkSendBody(body: unknown): Reply | undefined {
		if (!isObject(body)) return bad('Request body must be a JSON object');
		if (body.esDeveloperName !== this.options.deploymentName) return bad('Invalid esDeveloperName');
		if (!isObject(body.message)) return bad('message is required');
		// CHOICE: message ids follow the conversationId rule (the sheet: "your UUID").
		if (!isLowerUuidV4(body.message.id)) return bad('message.id must be a lowercase UUID v4');
		if (body.routingAttributes !== undefined && !isObject(body.routingAttributes)) return bad('routingAttributes must be an object');
		if (body.isNewMessagingSession !== undefined && typeof body.isNewMessagingSession !== 'boolean') {
			return bad('isNewMessagingSession must be a boolean');
		}
		return undefined;
	}

	/** UNCONFIRMED whether Salesforce drops a repeated message id; off by default (recorded again). */
	private duplicate(conversation: ConversationRecord, messageId: string): EntryRecord | undefined {
		if (!this.options.dedupeMessageIds) return undefined;
		return conversation.entries.find((e) => e.entryType === 'Message' && e.clientMessageId === messageId);
	}

	protected sendMessage(ctx: Ctx, token: TokenRecord): Reply {
		const conversation = this.owned(ctx, token, true);
		if ('status' in conversation) return conversation;
		const body = ctx.body;
		const invalid = this.checkSendBody(body);
		if (invalid) return invalid;
		const message = body.message;
		if (message.messageType !== 'StaticContentMessage') return bad('message.messageType must be StaticContentMessage');
		const content = message.staticContent;
		if (!isObject(content) || content.formatType !== 'Text') return bad('message.staticContent.formatType must be Text');
		if (typeof content.text !== 'string' || content.text === '') return bad('message.staticContent.text is required');
		if (body.language !== undefined && typeof body.language !== 'string') return bad('language must be a string');
		const gate = this.sessionGate(conversation, body);
		if (gate) return gate;
		const seen = this.duplicate(conversation, message.id);
		if (seen) return this.accepted(seen);
		if (typeof body.language === 'string') conversation.language = body.language;
		const abstractMessage: Record<string, unknown> = {
			messageType: 'StaticContentMessage',
			id: message.id,
			staticContent: { formatType: 'Text', text: content.text },
			...(typeof message.inReplyToMessageId === 'string' ? { inReplyToMessageId: message.inReplyToMessageId } : {}),
		};
		const entry = this.addEntry(conversation, {
			entryType: 'Message',
			payload: { abstractMessage },
			sender: this.sender('EndUser', token.subject, token.clientId),
			senderDisplayName: END_USER_NAME,
			listed: true,
			text: content.text,
			clientMessageId: message.id,
		});
		return this.accepted(entry);
	}

	protected sendFile(ctx: Ctx, token: TokenRecord): Reply {
		const conversation = this.owned(ctx, token, true);
		if ('status' in conversation) return conversation;
		// The sheet [MC]: 5 MB (UNCONFIRMED by Salesforce); CHOICE: 413.
		if (ctx.tooLarge) return fail(413, 'File is too large');
		const parts = parseMultipart(ctx.raw, String(ctx.headers['content-type'] ?? ''));
		if (!parts) return bad('Expected multipart/form-data');
		const entryPart = parts.find((p) => p.name === 'messageEntry');
		const filePart = parts.find((p) => p.name === 'fileData');
		if (!entryPart) return bad('messageEntry part is required');
		if (!filePart || filePart.filename === undefined) return bad('fileData part with a filename is required');
		let body: any;
		try {
			body = JSON.parse(entryPart.data.toString('utf8'));
		} catch {
			return bad('messageEntry is not valid JSON');
		}
		ctx.call.body = { messageEntry: body, fileData: { name: filePart.filename, mimeType: filePart.contentType, size: filePart.data.length } };
		const invalid = this.checkSendBody(body);
		if (invalid) return invalid;
		if (filePart.data.length > this.options.maxFileBytes) return fail(413, 'File is too large');
		if (!isLowerUuidV4(body.message.fileId)) return bad('message.fileId must be a lowercase UUID v4');
		const text = typeof body.message.text === 'string' ? body.message.text : '';
		const gate = this.sessionGate(conversation, body);
		if (gate) return gate;
		const seen = this.duplicate(conversation, body.message.id);
		if (seen) return this.accepted(seen);
		const mimeType = filePart.contentType ?? 'application/octet-stream';
		const mediaId = crypto.randomUUID();
		this.media.set(mediaId, { name: filePart.filename, mimeType, data: filePart.data });
		// UNCONFIRMED: where Salesforce hosts uploads; here GET /media/<id>, no auth.
		const attachments = [{ id: body.message.fileId, name: filePart.filename, mimeType, url: `${this.baseUrl}/media/${mediaId}` }];
		const entry = this.addEntry(conversation, {
			entryType: 'Message',
			payload: {
				abstractMessage: {
					messageType: 'StaticContentMessage',
					id: body.message.id,
					staticContent: { formatType: 'Attachments', attachments, text },
				},
			},
			sender: this.sender('EndUser', token.subject, token.clientId),
			senderDisplayName: END_USER_NAME,
			listed: true,
			text,
			attachments,
			clientMessageId: body.message.id,
		});
		return this.accepted(entry);
	}

	protected sendTyping(ctx: Ctx, token: TokenRecord): Reply {
		const conversation = this.owned(ctx, token, true);
		if ('status' in conversation) return conversation;
		const body = ctx.body;
		if (!isObject(body)) return bad('Request body must be a JSON object');
		const started = body.entryType === 'TypingStartedIndicator';
		if (!started && body.entryType !== 'TypingStoppedIndicator') return bad('entryType must be TypingStartedIndicator or TypingStoppedIndicator');
		if (!isLowerUuidV4(body.id)) return bad('id must be a lowercase UUID v4');
		// CHOICE: typing needs a session too.
		if (!this.sessionActive(conversation)) return noSession();
		conversation.customerTyping = started;
		// UNCONFIRMED (the sheet: typing and acks are likely SSE only): not in /entries; echoed.
		this.addEntry(conversation, {
			entryType: body.entryType,
			payload: { entryType: body.entryType, id: body.id },
			sender: this.sender('EndUser', token.subject, token.clientId),
			senderDisplayName: END_USER_NAME,
			listed: false,
			text: started ? 'typing' : 'stopped typing',
		});
		return { status: 202 };
	}

	protected acknowledge(ctx: Ctx, token: TokenRecord): Reply {
		const conversation = this.owned(ctx, token, true);
		if ('status' in conversation) return conversation;
		const acks = isObject(ctx.body) ? ctx.body.acks : undefined;
		if (!Array.isArray(acks) || acks.length === 0) return bad('acks must be a non-empty array');
		for (const ack of acks) {
			if (!isObject(ack) || !isLowerUuidV4(ack.id)) return bad('every ack needs an id (lowercase UUID v4)');
			if (ack.entryType !== 'Delivery' && ack.entryType !== 'Read') return bad('ack entryType must be Delivery or Read');
			// CHOICE: acknowledging an entry the conversation does not have is a 400.
			if (!conversation.entries.some((e) => e.identifier === ack.conversationEntryId)) return bad(`unknown conversationEntryId ${ack.conversationEntryId}`);
		}
		for (const ack of acks) {
			conversation.acks.push({ id: ack.id, entryType: ack.entryType, conversationEntryId: ack.conversationEntryId, at: Date.now() });
			const entryType = ack.entryType === 'Delivery' ? 'DeliveryAcknowledgement' : 'ReadAcknowledgement';
			// UNCONFIRMED: the acknowledgement payload's field names.
			this.addEntry(conversation, {
				entryType,
				payload: { entryType, id: ack.id, acknowledgedConversationEntryIdentifier: ack.conversationEntryId, acknowledgementTimestamp: Date.now() },
				sender: this.sender('EndUser', token.subject, token.clientId),
				senderDisplayName: END_USER_NAME,
				listed: false,
				text: `${ack.entryType} ${ack.conversationEntryId}`,
			});
		}
		return { status: 202 };
	}

	protected conversationStatus(ctx: Ctx, token: TokenRecord): Reply {
		const conversation = this.owned(ctx, token, false);
		if ('status' in conversation) return conversation;
		return { status: 200, body: { conversationId: conversation.id, routingStatus: conversation.routingStatus } };
	}

	protected listConversations(ctx: Ctx, token: TokenRecord): Reply {
		const limit = this.limitOf(ctx.query.limit);
		if (typeof limit !== 'number') return limit;
		const withClosed = ctx.query.inclClosedConvs === 'true';
		const mine = [...this.records.values()].filter((c) => c.subject === token.subject);
		const listed = mine.filter((c) => withClosed || !c.closed).slice(0, limit);
		// UNCONFIRMED: the list's shape (SA: counts of open and closed conversations, and the list).
		return {
			status: 200,
			body: {
				openConversationsFound: mine.filter((c) => !c.closed).length,
				closedConversationsFound: mine.filter((c) => c.closed).length,
				conversations: listed.map((c) => ({
					conversationId: c.id,
					status: c.closed ? 'Closed' : 'Open',
					routingStatus: c.routingStatus,
					startTimestamp: c.createdAt,
				})),
			},
		};
	}

	/** SA (constants.js): default 20, at most 50. CHOICE: outside 1..50 is a 400. */
	private limitOf(value: string | undefined): number | Reply {
		if (value === undefined || value === '') return LIST_LIMIT.default;
		const limit = Number(value);
		if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT.max) return bad(`limit must be 1..${LIST_LIMIT.max}`);
		return limit;
	}

	protected listEntries(ctx: Ctx, token: TokenRecord): Reply {
		const conversation = this.owned(ctx, token, false);
		if ('status' in conversation) return conversation;
		const { query } = ctx;
		const limit = this.limitOf(query.limit);
		if (typeof limit !== 'number') return limit;
		const bound = (name: 'startTimestamp' | 'endTimestamp'): number | undefined | Reply => {
			if (query[name] === undefined || query[name] === '') return undefined;
			const n = Number(query[name]);
			return Number.isInteger(n) && n >= 0 ? n : bad(`${name} must be epoch milliseconds`);
		};
		const start = bound('startTimestamp');
		const end = bound('endTimestamp');
		if (typeof start === 'object') return start;
		if (typeof end === 'object') return end;
		// UNCONFIRMED: the default direction. CHOICE: FromEnd (newest first).
		const direction = query.direction ?? 'FromEnd';
		if (direction !== 'FromStart' && direction !== 'FromEnd') return bad('direction must be FromStart or FromEnd');
		const types = query.entryTypeFilter ? query.entryTypeFilter.split(',').map((t) => t.trim()).filter(Boolean) : [];
		// CHOICE: both bounds are inclusive (the sheet: page by ms timestamps, dedupe on identifier).
		let list = conversation.entries.filter(
			(e) =>
				e.listed &&
				(start === undefined || e.transcriptedTimestamp >= start) &&
				(end === undefined || e.transcriptedTimestamp <= end) &&
				(types.length === 0 || types.includes(e.entryType)),
		);
		if (direction === 'FromEnd') list = list.reverse();
		return { status: 200, body: { conversationEntries: list.slice(0, limit).map((e) => this.entryJson(e)) } };
	}

	private checkDeploymentQuery(ctx: Ctx): Reply | undefined {
		if (ctx.query.esDeveloperName !== this.options.deploymentName) return bad('Invalid esDeveloperName');
		return undefined;
	}

	/** DELETE …/conversation/{id}: the end user closes it (the only source of CloseConversation). */
	protected closeConversation(ctx: Ctx, token: TokenRecord): Reply {
		const conversation = this.owned(ctx, token, true);
		if ('status' in conversation) return conversation;
		const invalid = this.checkDeploymentQuery(ctx);
		if (invalid) return invalid;
		this.cancelRouting(conversation);
		const session = this.currentSession(conversation);
		// CHOICE: closing ends the session silently (no SessionStatusChanged) and everyone leaves.
		if (session.status === 'Active') Object.assign(session, { status: 'Ended', endedByRole: 'EndUser', endedAt: Date.now() });
		conversation.participants = conversation.participants.filter((p) => p.role === 'EndUser');
		conversation.customerTyping = false;
		this.addEntry(conversation, {
			entryType: 'CloseConversation',
			payload: { entryType: 'CloseConversation' },
			sender: this.sender('EndUser', token.subject, token.clientId),
			senderDisplayName: END_USER_NAME,
			listed: true,
			text: 'Conversation closed',
		});
		conversation.closed = true;
		return { status: 204 };
	}

	/** DELETE …/conversation/{id}/session [CW]: the end user ends the messaging session only. */
	protected endSessionByEndUser(ctx: Ctx, token: TokenRecord): Reply {
		const conversation = this.owned(ctx, token, true);
		if ('status' in conversation) return conversation;
		const invalid = this.checkDeploymentQuery(ctx);
		if (invalid) return invalid;
		// CHOICE: no active session → 417, as for messages.
		if (!this.sessionActive(conversation)) return noSession();
		this.endSession(conversation, 'EndUser');
		return { status: 204 };
	}
}
