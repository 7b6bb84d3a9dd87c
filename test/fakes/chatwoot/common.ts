import * as http from 'http';
import * as crypto from 'crypto';

import type { FaultInjection } from '../http';

// The Chatwoot simulator's records, constants and pure helpers, shared by its files.
// docs/platforms/chatwoot.md lists the facts and their sources.

export interface ChatwootSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** Multiplies every delay: the agent bot's 3 s between delivery attempts. */
	timeScale?: number;
	/**
	 * The Chatwoot server version played (default '4.13.0'). Account webhooks carry a secret and are
	 * signed from 4.11.2; API-inbox and agent-bot deliveries from 4.13.0; older servers sign nothing.
	 */
	version?: string;
	/** How long one delivery may take before it fails (Chatwoot: 5 s, WEBHOOK_TIMEOUT). Not scaled. */
	hookTimeoutMs?: number;
	/** Rack::Attack `req/ip` (RACK_ATTACK_LIMIT, default 3000 a minute). 0 = off. */
	rateLimitPerMinute?: number;
	/** Rack::Attack contact search per account (RATE_LIMIT_CONTACT_SEARCH, default 100 a minute). 0 = off. */
	contactSearchPerMinute?: number;
	/** Reliability tests: refuse a share of API calls with 429/5xx before they reach the platform (see FaultInjection). */
	faults?: FaultInjection;
}

export type ConversationStatus = 'open' | 'resolved' | 'pending' | 'snoozed';
export const CONVERSATION_STATUSES: ConversationStatus[] = ['open', 'resolved', 'pending', 'snoozed'];
export type MessageType = 'incoming' | 'outgoing' | 'activity' | 'template';
/** app/models/message.rb `enum message_type`: the integer the Application API answers with. */
export const MESSAGE_TYPE_NUMBER: Record<MessageType, number> = { incoming: 0, outgoing: 1, activity: 2, template: 3 };
export const CONTENT_TYPES = [
	'text',
	'input_text',
	'input_textarea',
	'input_email',
	'input_select',
	'cards',
	'form',
	'article',
	'incoming_email',
	'input_csat',
] as const;
export type ChannelType = 'Channel::Api' | 'Channel::WebWidget';

/** app/models/webhook.rb ALLOWED_WEBHOOK_EVENTS (sheet, Webhooks 1). */
export const WEBHOOK_EVENTS = [
	'conversation_created',
	'conversation_status_changed',
	'conversation_updated',
	'conversation_typing_on',
	'conversation_typing_off',
	'conversation_viewed',
	'message_created',
	'message_updated',
	'contact_created',
	'contact_updated',
	'webwidget_triggered',
];
/** app/listeners/agent_bot_listener.rb: the only events an agent bot's outgoing_url receives. */
export const AGENT_BOT_EVENTS = ['message_created', 'message_updated', 'webwidget_triggered', 'conversation_opened', 'conversation_resolved'];
/** Conversation and message events the API inbox's webhook_url receives (webhook_listener.rb deliver_webhook_payloads). */
export const API_INBOX_EVENTS = [
	'conversation_created',
	'conversation_status_changed',
	'conversation_updated',
	'message_created',
	'message_updated',
	'webwidget_triggered',
];

export interface AccountRecord {
	id: number;
	name: string;
	/** Account setting: a failed agent-bot delivery leaves a pending conversation pending. */
	keepPendingOnBotFailure: boolean;
}

export interface UserRecord {
	id: number;
	name: string;
	email: string;
	/** account id → role */
	roles: Map<number, 'administrator' | 'agent'>;
	accessToken: string;
	availability: 'online' | 'offline' | 'busy';
}

export interface TeamRecord {
	id: number;
	accountId: number;
	name: string;
	description: string;
	allowAutoAssign: boolean;
	memberIds: number[];
	createdAt: number;
}

export interface InboxRecord {
	id: number;
	accountId: number;
	channelId: number;
	name: string;
	channelType: ChannelType;
	/** API channel: the `inbox_identifier` of the client API. */
	identifier?: string;
	/** API channel: where its conversation and message events go. */
	webhookUrl?: string;
	/** API channel: HMAC secret of its deliveries (4.13.0+). */
	secret?: string;
	/** API channel: identity validation (`identifier_hash`). */
	hmacToken?: string;
	hmacMandatory: boolean;
	websiteToken?: string;
	agentBotId: number | null;
	createdAt: number;
	/** inbox_members: the agents who see the inbox (CHOICE: none until set). */
	memberIds?: number[];
	/** app/models/concerns/out_of_offisable.rb: `working_hours_enabled`, `timezone`, the weekly schedule. */
	workingHours?: { enabled: boolean; timezone: string; schedule: WorkingHourRecord[] };
}

/** app/models/working_hour.rb, as `weekly_schedule` answers it (day_of_week 0 = Sunday). */
export interface WorkingHourRecord {
	day_of_week: number;
	closed_all_day: boolean;
	open_hour: number | null;
	open_minutes: number | null;
	close_hour: number | null;
	close_minutes: number | null;
	open_all_day: boolean;
}

/** out_of_offisable.rb create_default_working_hours: Sunday and Saturday closed, Monday to Friday 9-17. */
export function defaultWorkingHours(): WorkingHourRecord[] {
	return [0, 1, 2, 3, 4, 5, 6].map((day) =>
		day === 0 || day === 6
			? { day_of_week: day, closed_all_day: true, open_hour: null, open_minutes: null, close_hour: null, close_minutes: null, open_all_day: false }
			: { day_of_week: day, closed_all_day: false, open_hour: 9, open_minutes: 0, close_hour: 17, close_minutes: 0, open_all_day: false },
	);
}

export interface AgentBotRecord {
	id: number;
	accountId: number;
	name: string;
	description: string;
	outgoingUrl: string;
	accessToken: string;
	/** 4.13.0+: signs its deliveries. */
	secret: string;
	createdAt: number;
}

export interface ContactRecord {
	id: number;
	accountId: number;
	name: string;
	email: string | null;
	phoneNumber: string | null;
	identifier: string | null;
	customAttributes: Record<string, unknown>;
	additionalAttributes: Record<string, unknown>;
	blocked: boolean;
	createdAt: number;
	updatedAt: number;
	lastActivityAt: number | null;
}

export interface ContactInboxRecord {
	id: number;
	contactId: number;
	inboxId: number;
	sourceId: string;
	hmacVerified: boolean;
	pubsubToken: string;
	createdAt: number;
	updatedAt: number;
}

export interface ConversationRecord {
	/** Database id (never in paths). */
	id: number;
	/** Per-account number: the `id` every answer and path uses. */
	displayId: number;
	uuid: string;
	accountId: number;
	inboxId: number;
	contactId: number;
	contactInboxId: number;
	status: ConversationStatus;
	assigneeId: number | null;
	teamId: number | null;
	customAttributes: Record<string, unknown>;
	additionalAttributes: Record<string, unknown>;
	labels: string[];
	snoozedUntil: number | null;
	priority: string | null;
	createdAt: number;
	updatedAt: number;
	lastActivityAt: number;
	agentLastSeenAt: number | null;
	contactLastSeenAt: number | null;
	waitingSince: number | null;
	firstReplyCreatedAt: number | null;
}

export type SenderRef = { type: 'User' | 'Contact' | 'AgentBot'; id: number } | null;

export interface AttachmentRecord {
	id: number;
	messageId: number;
	accountId: number;
	fileType: 'image' | 'audio' | 'video' | 'file';
	fileName: string;
	contentType: string;
	data: Buffer;
	key: string;
}

export interface MessageRecord {
	id: number;
	accountId: number;
	inboxId: number;
	conversationId: number;
	content: string | null;
	messageType: MessageType;
	contentType: string;
	contentAttributes: Record<string, unknown>;
	private: boolean;
	status: 'sent' | 'delivered' | 'read' | 'failed';
	sourceId: string | null;
	sender: SenderRef;
	attachments: AttachmentRecord[];
	echoId?: string;
	createdAt: number;
	updatedAt: number;
}

export interface WebhookRecord {
	id: number;
	accountId: number;
	name: string | null;
	url: string;
	subscriptions: string[];
	secret: string;
	createdAt: number;
}

/** Who called: the owner of the `api_access_token`. */
export type Caller = { kind: 'user'; user: UserRecord } | { kind: 'bot'; bot: AgentBotRecord };

export interface ChatwootApiCall {
	/** Refused by fault injection, not by the platform. */
	injected?: boolean;
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
	/** `user:<id>` or `bot:<id>` when the token was known. */
	caller?: string;
}

export type DeliveryKind = 'account_webhook' | 'api_inbox_webhook' | 'agent_bot_webhook';

export interface ChatwootDeliveryAttempt {
	/** X-Chatwoot-Delivery: one per logical delivery, the same on every attempt (undefined when unsigned). */
	deliveryId?: string;
	/** Our own id of the logical delivery (always set; groups the attempts). */
	jobId: string;
	kind: DeliveryKind;
	/** The webhook, inbox or agent bot id. */
	targetId: number;
	event: string;
	url: string;
	attempt: number;
	at: number;
	status: number | null;
	error?: string;
	headers: Record<string, string>;
	rawBody: string;
	body: any;
	signed: boolean;
	retryInMs?: number;
	/** The last attempt failed and the failure handling ran (or would have, for other events). */
	gaveUp?: boolean;
}

export interface Reply {
	status: number;
	body?: unknown;
	text?: string;
	headers?: Record<string, string>;
}

export interface UploadedFile {
	name: string;
	contentType: string;
	data: Buffer;
}

export interface Ctx {
	params: Record<string, string>;
	query: Record<string, string>;
	/** JSON body or the multipart fields (strings); query parameters merged under it, as Rails does. */
	body: Record<string, any>;
	files: UploadedFile[];
	caller?: Caller;
	account?: AccountRecord;
	headers: http.IncomingHttpHeaders;
}

export interface RouteDef {
	/**
	 * 'public': client API, no token. 'profile': a token, no account. 'account': a token of a member
	 * of `:account_id`. `admin`: the role needed (Pundit: administrators only).
	 */
	access: 'public' | 'profile' | 'account';
	admin?: boolean;
	/** AccessTokenAuthHelper::BOT_ACCESSIBLE_ENDPOINTS: the few actions an agent-bot token may call. */
	bot?: boolean;
	handler: (ctx: Ctx) => Reply;
}

// request_exception_handler.rb: every error is `{error: message}`; a failed validation is `{message, attributes}`.
export const error = (status: number, message: string): Reply => ({ status, body: { error: message } });
export const INVALID_TOKEN = error(401, 'Invalid Access Token');
export const BOT_FORBIDDEN = error(401, 'Access to this endpoint is not authorized for bots');
export const NOT_AUTHORIZED = error(401, 'You are not authorized to do this action');
export const NOT_FOUND = error(404, 'Resource could not be found');
export const recordInvalid = (messages: string[], attributes: string[]): Reply => ({
	status: 422,
	body: { message: messages.join(', '), attributes },
});
export const ok = (body: unknown): Reply => ({ status: 200, body });

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
	const pa = a.split('.').map((n) => parseInt(n, 10) || 0);
	const pb = b.split('.').map((n) => parseInt(n, 10) || 0);
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		const d = (pa[i] ?? 0) - (pb[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/** PR #13573 (4.11.2): account webhooks have a secret and sign; PR #13892 (4.13.0): API inbox and agent bot too. */
export const SIGNING_SINCE: Record<DeliveryKind, string> = {
	account_webhook: '4.11.2',
	api_inbox_webhook: '4.13.0',
	agent_bot_webhook: '4.13.0',
};

/** `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "{timestamp}.{raw body}")>` (lib/webhooks/trigger.rb). */
export function signature(secret: string, timestamp: string, rawBody: string): string {
	return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** lib/webhooks/trigger.rb RETRYABLE_AGENT_BOT_STATUSES; app/jobs/agent_bots/webhook_job.rb `wait: 3.seconds, attempts: 3`. */
export const AGENT_BOT_RETRY_STATUSES = [429, 500];
export const AGENT_BOT_ATTEMPTS = 3;
export const AGENT_BOT_RETRY_WAIT_MS = 3000;

/** Seconds since the epoch, as Chatwoot's `to_i` timestamps. */
export const secs = (ms: number | null | undefined): number => (ms ? Math.floor(ms / 1000) : 0);
export const iso = (ms: number): string => new Date(ms).toISOString();

/** Rails' boolean casting of a parameter (ActiveModel::Type::Boolean). */
export function castBool(value: unknown): boolean {
	if (value === undefined || value === null || value === '') return false;
	return !['false', '0', 'f', 'F', 'FALSE', 'off', 'OFF', false, 0].includes(value as never);
}

/** has_secure_token: 24 base58 characters. */
export function secureToken(length = 24): string {
	const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
	let out = '';
	for (let i = 0; i < length; i++) out += alphabet[crypto.randomInt(0, alphabet.length)];
	return out;
}

/** file_type_helper.rb: image, audio, video by content type; anything else a file. */
export function fileTypeOf(contentType: string): AttachmentRecord['fileType'] {
	if (contentType.startsWith('image/')) return 'image';
	if (contentType.startsWith('audio/')) return 'audio';
	if (contentType.startsWith('video/')) return 'video';
	return 'file';
}
