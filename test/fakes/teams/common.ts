import * as crypto from 'crypto';

import type { FaultInjection } from '../http';

// The Microsoft Graph simulator's records, constants and pure helpers, shared by its files.
// Sources: learn.microsoft.com/graph (chatMessage, subscription, change notifications through
// webhooks, Teams change notifications for chatMessage) and the Microsoft identity platform's
// token endpoint; what the docs leave open is marked "(inferred)".

export interface TeamsSimulatorOptions {
	/** The directory (tenant) id: in notifications (`tenantId`), users and web URLs. */
	tenantId?: string;
	/** The app registration (n8n's credential: Client ID / Client Secret). */
	clientId?: string;
	clientSecret?: string;
	/** The user n8n's credential signed in as (delegated permissions): its posts are "the bot's". */
	credentialUser?: { id?: string; displayName?: string; mail?: string };
	/** The credential's tokens as its `oauthTokenData` holds them. */
	accessToken?: string;
	refreshToken?: string;
	/** Access token lifetime in seconds (the identity platform: 60–90 minutes; `expires_in` 3599 is typical). */
	accessTokenLifetimeSec?: number;
	/** Multiplies the retry delays of notifications (exponential, up to 4 hours). 0.001 → 1000× faster. */
	timeScale?: number;
	/** Graph publishes notifications with a 3 s timeout (not scaled). */
	ackTimeoutMs?: number;
	/** How long Graph waits for the validation answer on POST /subscriptions: 10 s (not scaled). */
	validationTimeoutMs?: number;
	/** How long Graph keeps retrying a notification: 4 hours (scaled by timeScale). */
	retryForMs?: number;
	/**
	 * Where a notification URL is reached. Graph only takes `https://` notification URLs; in
	 * production a TLS-terminating reverse proxy sits in front of n8n, here this maps the public
	 * URL to the plain-HTTP listener behind it (default: unchanged).
	 */
	route?: (notificationUrl: string) => string;
	/** Reliability tests: a share of Graph calls refused before they reach the API (see FaultInjection). */
	faults?: FaultInjection;
}

export interface GraphUser {
	id: string;
	displayName: string;
	mail: string;
}

export interface GraphChannel {
	id: string;
	teamId: string;
	displayName: string;
}

export interface GraphTeam {
	id: string;
	displayName: string;
	members: Set<string>;
}

export interface GraphAttachment {
	id: string;
	contentType: string;
	contentUrl: string | null;
	content: string | null;
	name: string | null;
	thumbnailUrl: string | null;
	teamsAppId: string | null;
}

/** A channel message or reply as the simulator stores it (views in state.ts). */
export interface MessageRecord {
	id: string;
	teamId: string;
	channelId: string;
	/** The root's id for a reply; undefined for a top-level post. */
	replyToId?: string;
	from: string;
	createdDateTime: string;
	body: { contentType: 'text' | 'html'; content: string };
	subject: string | null;
	attachments: GraphAttachment[];
}

export interface SubscriptionRecord {
	id: string;
	resource: string;
	changeType: string;
	notificationUrl: string;
	lifecycleNotificationUrl?: string;
	clientState?: string;
	expirationDateTime: string;
	latestSupportedTlsVersion: string;
	includeResourceData: boolean;
	creatorId: string;
	/** The team and channel of a channel-messages resource. */
	teamId: string;
	channelId: string;
}

export interface GraphApiCall {
	at: number;
	host: string;
	method: string;
	/** Path without the version prefix, e.g. `/teams/{t}/channels/{c}/messages`. */
	path: string;
	/** `v1.0` or `beta` (graph.microsoft.com), empty for the token endpoint. */
	version: string;
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	body?: unknown;
	status?: number;
	/** Graph's error code, when the answer was an error. */
	errorCode?: string;
	injected?: boolean;
}

export interface NotificationAttempt {
	/** One delivery (a change notification with its retries, or a validation request). */
	deliveryId: string;
	kind: 'validation' | 'notification';
	url: string;
	/** The URL actually requested (after `route`). */
	routedTo: string;
	attempt: number;
	at: number;
	status: number | null;
	responseText?: string;
	contentType?: string;
	error?: string;
	/** The notification's body (`{value: [...]}`); for validation, the token sent. */
	body?: any;
	validationToken?: string;
	subscriptionId?: string;
	/** The message the notification is about. */
	messageId?: string;
	retryInMs?: number;
	gaveUp?: boolean;
	/** Sent again by simulateRetry(), not by the schedule. */
	forced?: boolean;
}

export interface UserPostInput {
	/** Who writes (a member of the team); default the first agent. */
	user?: string;
	/** What they type: sent as the Teams client does, HTML `<p>…</p>` with the text escaped. */
	text?: string;
	/** Or the body as given. */
	html?: string;
	/** A reply in this thread (root message id). */
	replyTo?: string;
	/** Files attached from SharePoint/OneDrive: reference attachments. */
	files?: Array<{ name: string }>;
}

export const DEFAULTS = {
	tenantId: '5f1c2a9e-7d3b-4c61-9a20-4d2f8e6b1c01',
	clientId: '3b6d9f21-0c4e-4a8b-9f7d-2e5a1c8b7d90',
	clientSecret: 'sim~client~secret~0123456789abcdef',
	credentialUser: { id: '8ea0e38b-efb3-4757-924a-5f94061cf8c2', displayName: 'Handoff Relay', mail: 'relay@contoso.example' },
	accessToken: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.sim-access-token',
	refreshToken: '0.AXoA-sim-refresh-token',
};

/** Graph's documented maximum for chatMessage subscriptions: 4320 minutes (under 3 days). */
export const MAX_CHAT_MESSAGE_SUBSCRIPTION_MINUTES = 4320;
/** Over 1 hour a lifecycleNotificationUrl is required (Teams change notifications docs). */
export const LIFECYCLE_URL_REQUIRED_AFTER_MINUTES = 60;

/**
 * Delays between notification attempts. Graph documents "exponential backoff" for up to 4 hours,
 * not the steps: 1 min doubling each time (inferred).
 */
export function retryDelayMs(attempt: number): number {
	return 60_000 * 2 ** (attempt - 1);
}

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	text?: string;
}

/** Graph's error body: `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. */
export function graphError(status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
	const requestId = crypto.randomUUID();
	return {
		status,
		headers: { 'request-id': requestId, 'client-request-id': requestId, ...headers },
		body: { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d{3}Z$/, ''), 'request-id': requestId, 'client-request-id': requestId } } },
	};
}

/** The identity platform's error body (AADSTS codes). */
export function tokenError(status: number, error: string, code: number, description: string): Reply {
	const trace = crypto.randomUUID();
	return {
		status,
		body: {
			error,
			error_description: `AADSTS${code}: ${description} Trace ID: ${trace} Correlation ID: ${trace} Timestamp: ${new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z')}`,
			error_codes: [code],
			timestamp: new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'),
			trace_id: trace,
			correlation_id: trace,
		},
	};
}

export function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A channel id as Teams makes them: `19:<32 hex>@thread.tacv2`. */
export function channelIdFor(): string {
	return `19:${crypto.randomBytes(16).toString('hex')}@thread.tacv2`;
}

export function randomToken(prefix: string): string {
	return `${prefix}${crypto.randomBytes(24).toString('base64url')}`;
}
