import { randomBytes } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiResponse, RequestContext } from '../shared';
import { callApi, describeErrorBody } from '../shared';
import { HANDOFF_PROPERTIES } from './marker';

export const LIVECHAT_CREDENTIAL = 'liveChatApi';

export type LiveChatApiName = 'agent' | 'customer' | 'configuration';

export interface LiveChatConfig {
	/** Without trailing slash, e.g. https://api.livechatinc.com */
	apiUrl: string;
	/** e.g. v3.6 */
	apiVersion: string;
	accountsUrl: string;
	organizationId: string;
	clientId: string;
}

export async function liveChatConfig(context: RequestContext): Promise<LiveChatConfig> {
	const credentials = await context.getCredentials(LIVECHAT_CREDENTIAL);
	const version = String(credentials.apiVersion || 'v3.6').trim();
	return {
		apiUrl: String(credentials.apiUrl || 'https://api.livechatinc.com').replace(/\/+$/, ''),
		apiVersion: version.startsWith('v') ? version : `v${version}`,
		accountsUrl: String(credentials.accountsUrl || 'https://accounts.livechat.com').replace(/\/+$/, ''),
		organizationId: String(credentials.organizationId ?? '').trim(),
		clientId: String(credentials.clientId ?? '').trim(),
	};
}

/** LiveChat answers errors as `{"error": {"type", "message"}}`: "Chat is inactive (chat_inactive)". */
export function liveChatErrorText(body: unknown): string {
	if (body && typeof body === 'object' && !Array.isArray(body)) {
		const error = (body as IDataObject).error;
		if (error && typeof error === 'object') {
			const { type, message } = error as IDataObject;
			if (typeof message === 'string' && message) {
				return typeof type === 'string' && type ? `${message} (${type})` : message;
			}
			if (typeof type === 'string' && type) return type;
		}
	}
	return describeErrorBody(body);
}

export function liveChatErrorType(body: unknown): string | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const error = (body as IDataObject).error;
	if (!error || typeof error !== 'object') return undefined;
	const type = (error as IDataObject).type;
	return typeof type === 'string' ? type : undefined;
}

/**
 * Bots may act through an agent's token with `X-Author-Id` only up to API v3.5: v3.6 removed that
 * mechanism (Agent Chat API changelog). Bot calls therefore go to v3.5 when the credential is set
 * to a later version.
 */
export function botApiVersion(version: string): string {
	const match = /^v?(\d+)\.(\d+)$/.exec(version);
	if (!match) return 'v3.5';
	const [major, minor] = [Number(match[1]), Number(match[2])];
	return major < 3 || (major === 3 && minor <= 5) ? `v${major}.${minor}` : 'v3.5';
}

export interface LiveChatRequest {
	api: LiveChatApiName;
	/** The action, e.g. `send_event`. */
	action: string;
	/** What the user asked for, in words, for error messages. */
	call: string;
	body?: IDataObject;
	itemIndex?: number;
	/** Headers of this call, e.g. a customer's `Authorization: Bearer …` or `X-Author-Id`. */
	headers?: IDataObject;
	/** Overrides the credential's API version (bot calls). */
	apiVersion?: string;
	acceptStatuses?: number[];
}

export async function liveChatRequest(this: RequestContext, request: LiveChatRequest): Promise<ApiResponse> {
	const config = await liveChatConfig(this);
	const version = request.apiVersion ?? config.apiVersion;
	const qs: IDataObject | undefined =
		request.api === 'customer' ? { organization_id: config.organizationId } : undefined;
	return await callApi.call(this, {
		platform: 'LiveChat',
		credentialType: LIVECHAT_CREDENTIAL,
		call: request.call,
		method: 'POST',
		url: `${config.apiUrl}/${version}/${request.api}/action/${request.action}`,
		body: request.body ?? {},
		qs,
		headers: { 'Content-Type': 'application/json', ...request.headers },
		itemIndex: request.itemIndex,
		errorText: liveChatErrorText,
		acceptStatuses: request.acceptStatuses,
	});
}

/** Calls LiveChat and returns the JSON body (`{}` for LiveChat's empty 200 answers). */
export async function liveChatApi(this: RequestContext, request: LiveChatRequest): Promise<IDataObject> {
	const response = await liveChatRequest.call(this, request);
	const body = response.body;
	if (body === undefined || body === null || body === '') return {};
	return body as IDataObject;
}

// ------------------------------------------------------------------ customer tokens

interface CachedToken {
	token: string;
	/** ms since epoch */
	expiresAt: number;
}

/** Refreshed this long before LiveChat's expiry, so a token never expires in flight. */
const TOKEN_REFRESH_MARGIN_MS = 10 * 60 * 1000;
const TOKEN_CACHE_MAX = 200;

export interface CustomerToken {
	accessToken: string;
	entityId: string;
	expiresIn: number;
}

/**
 * Customer tokens, in this process's memory only: a pure cache, correctness never depends on it.
 * Any process without it (another queue-mode worker, a restart) just asks LiveChat for a token.
 * Not in workflow static data: an execution that writes static data saves all of it, overwriting
 * what the workflow's triggers keep there. Keyed by Client ID and customer (tokens are issued for an
 * app); Map order is insertion order, so the first key is the oldest entry.
 */
const customerTokens = new Map<string, CachedToken>();

function tokenKey(clientId: string, entityId: string): string {
	return `${clientId}/${entityId}`;
}

function remember(key: string, token: CustomerToken): void {
	customerTokens.delete(key);
	customerTokens.set(key, { token: token.accessToken, expiresAt: Date.now() + token.expiresIn * 1000 });
	while (customerTokens.size > TOKEN_CACHE_MAX) customerTokens.delete(customerTokens.keys().next().value as string);
}

/**
 * A customer access token from LiveChat's agent-token grant: for `entityId`'s identity, or for a new
 * customer identity when it is undefined. Tokens live 8 hours (expires_in 28800); they are cached
 * in this process per customer and renewed 10 minutes before expiry.
 */
export async function customerToken(
	this: RequestContext,
	entityId: string | undefined,
	itemIndex?: number,
	options: { renew?: boolean } = {},
): Promise<CustomerToken> {
	const config = await liveChatConfig(this);
	if (!config.clientId) {
		throw new NodeOperationError(this.getNode(), 'The LiveChat credential has no Client ID: customer tokens are issued for an app', {
			itemIndex,
		});
	}
	if (entityId) {
		const cached = customerTokens.get(tokenKey(config.clientId, entityId));
		if (cached && !options.renew && cached.expiresAt - TOKEN_REFRESH_MARGIN_MS > Date.now()) {
			return { accessToken: cached.token, entityId, expiresIn: Math.floor((cached.expiresAt - Date.now()) / 1000) };
		}
	}
	const body: IDataObject = { grant_type: 'agent_token', client_id: config.clientId, response_type: 'token' };
	if (entityId) body.entity_id = entityId;
	if (config.organizationId) body.organization_id = config.organizationId;
	const response = await callApi.call(this, {
		platform: 'LiveChat',
		credentialType: LIVECHAT_CREDENTIAL,
		call: entityId ? 'issue customer token' : 'create customer identity',
		method: 'POST',
		url: `${config.accountsUrl}/v2/customer/token`,
		body,
		headers: { 'Content-Type': 'application/json' },
		itemIndex,
		errorText: liveChatErrorText,
	});
	const answer = (response.body ?? {}) as IDataObject;
	const accessToken = typeof answer.access_token === 'string' ? answer.access_token : '';
	const issuedFor = typeof answer.entity_id === 'string' ? answer.entity_id : entityId;
	if (!accessToken || !issuedFor) {
		throw new NodeOperationError(this.getNode(), 'LiveChat issued no customer access token', { itemIndex });
	}
	const token = {
		accessToken,
		entityId: issuedFor,
		expiresIn: Number(answer.expires_in) > 0 ? Number(answer.expires_in) : 28800,
	};
	remember(tokenKey(config.clientId, issuedFor), token);
	return token;
}

/**
 * A Customer Chat API call as customer `entityId`. When LiveChat refuses the token (401), a new one
 * is requested and the call is made once more with it.
 */
export async function customerApi(
	this: RequestContext,
	entityId: string,
	request: Omit<LiveChatRequest, 'api' | 'headers'>,
): Promise<IDataObject> {
	for (let attempt = 1; ; attempt++) {
		const token = await customerToken.call(this, entityId, request.itemIndex, { renew: attempt > 1 });
		const response = await liveChatRequest.call(this, {
			...request,
			api: 'customer',
			headers: { Authorization: `Bearer ${token.accessToken}` },
			acceptStatuses: attempt === 1 ? [401, ...(request.acceptStatuses ?? [])] : request.acceptStatuses,
		});
		if (response.statusCode === 401 && attempt === 1) continue;
		const body = response.body;
		return body && typeof body === 'object' ? (body as IDataObject) : {};
	}
}

// ------------------------------------------------------------------ files

/** LiveChat's upload limit (entity_too_large above it). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface DownloadedFile {
	data: Buffer;
	fileName: string;
	contentType: string;
}

export function fileNameFromUrl(url: string): string {
	try {
		const last = new URL(url).pathname.split('/').filter(Boolean).pop();
		return last ? decodeURIComponent(last) : 'file';
	} catch {
		return 'file';
	}
}

export async function downloadFile(
	this: IExecuteFunctions,
	url: string,
	fileName: string | undefined,
	itemIndex: number,
): Promise<DownloadedFile> {
	let response;
	try {
		response = (await this.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'arraybuffer',
			returnFullResponse: true,
			timeout: 30_000,
		})) as { body: Buffer | ArrayBuffer; headers: IDataObject };
	} catch (error) {
		throw new NodeOperationError(this.getNode(), `Could not download "${url}": ${(error as Error).message}`, {
			itemIndex,
		});
	}
	const data = Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body as ArrayBuffer);
	if (data.length > MAX_UPLOAD_BYTES) {
		throw new NodeOperationError(
			this.getNode(),
			`"${url}" is ${data.length} bytes: LiveChat accepts files up to 10 MB`,
			{ itemIndex, description: 'Send it as a link instead (option "Upload to LiveChat" off).' },
		);
	}
	const header = response.headers?.['content-type'];
	const contentType = String(Array.isArray(header) ? header[0] : (header ?? 'application/octet-stream'))
		.split(';')[0]
		.trim();
	return { data, fileName: fileName || fileNameFromUrl(url), contentType: contentType || 'application/octet-stream' };
}

/** A multipart/form-data body with one `file` part, built by hand (no runtime dependencies). */
export function multipartFile(file: DownloadedFile): { body: Buffer; contentType: string } {
	const boundary = `----n8nHandoff${randomBytes(12).toString('hex')}`;
	const safeName = file.fileName.replace(/["\r\n\\]/g, '_');
	const head = Buffer.from(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
		'utf8',
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
	return { body: Buffer.concat([head, file.data, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Uploads a file through `upload_file` of the Agent Chat API, or of the Customer Chat API with a
 * customer's token, and returns the LiveChat CDN URL a `file` event needs.
 */
export async function uploadFile(
	this: IExecuteFunctions,
	file: DownloadedFile,
	as: { api: 'agent'; headers?: IDataObject; apiVersion?: string } | { api: 'customer'; entityId: string },
	itemIndex: number,
): Promise<string> {
	const config = await liveChatConfig(this);
	const { body, contentType } = multipartFile(file);
	const headers: IDataObject = { 'Content-Type': contentType };
	let version = config.apiVersion;
	let qs: IDataObject | undefined;
	if (as.api === 'customer') {
		const token = await customerToken.call(this, as.entityId, itemIndex);
		headers.Authorization = `Bearer ${token.accessToken}`;
		qs = { organization_id: config.organizationId };
	} else {
		Object.assign(headers, as.headers);
		version = as.apiVersion ?? version;
	}
	const response = await callApi.call(this, {
		platform: 'LiveChat',
		credentialType: LIVECHAT_CREDENTIAL,
		call: 'upload file',
		method: 'POST',
		url: `${config.apiUrl}/${version}/${as.api}/action/upload_file`,
		body: body as unknown as IDataObject,
		qs,
		headers,
		itemIndex,
		errorText: liveChatErrorText,
	});
	const url = (response.body as IDataObject | undefined)?.url;
	if (typeof url !== 'string' || url === '') {
		throw new NodeOperationError(this.getNode(), 'LiveChat returned no URL for the uploaded file', { itemIndex });
	}
	return url;
}

// ------------------------------------------------------------------ chat properties

/**
 * Client IDs whose chat properties this process found registered and published: a pure cache like
 * the customer tokens (not in static data, for the same reason). A process without it checks once
 * with `list_properties`, which costs one call per Client ID and process instead of one per Start.
 */
const propertiesReady = new Set<string>();
const PROPERTIES_READY_MAX = 100;

/** For tests: forgets this process's customer tokens and checked Client IDs. */
export function clearLiveChatCaches(): void {
	customerTokens.clear();
	propertiesReady.clear();
}

/**
 * Registers this package's chat properties in the namespace of the credential's Client ID when
 * they are missing, and publishes them (read, write) so that a personal access token, which acts
 * for no Client ID, may write them. Checked once per Client ID in each process.
 * LiveChat applies configuration changes within 2 minutes ("Propagation delay").
 */
export async function ensureChatProperties(this: RequestContext, itemIndex?: number): Promise<string[]> {
	const config = await liveChatConfig(this);
	if (!config.clientId) {
		throw new NodeOperationError(this.getNode(), 'The LiveChat credential has no Client ID: it names the chat properties namespace', {
			itemIndex,
		});
	}
	if (propertiesReady.has(config.clientId)) return [];
	const listed = await liveChatApi.call(this, {
		api: 'configuration',
		action: 'list_properties',
		call: 'list chat properties',
		body: { owner_client_id: config.clientId },
		itemIndex,
	});
	const registered: string[] = [];
	for (const property of HANDOFF_PROPERTIES) {
		const existing = listed[property.name] as IDataObject | undefined;
		if (!existing) {
			// 409: another workflow registered it a moment ago, which is just as good.
			const answer = await liveChatRequest.call(this, {
				api: 'configuration',
				action: 'register_property',
				call: `register chat property ${property.name}`,
				body: {
					name: property.name,
					owner_client_id: config.clientId,
					type: 'string',
					access: { chat: { agent: ['read', 'write'], customer: ['read'] } },
					description: property.description,
				},
				itemIndex,
				acceptStatuses: [409],
			});
			if (answer.statusCode !== 409) registered.push(property.name);
		}
		const publicAccess = Array.isArray(existing?.public_access) ? (existing?.public_access as string[]) : [];
		if (!publicAccess.includes('write')) {
			await liveChatApi.call(this, {
				api: 'configuration',
				action: 'publish_property',
				call: `publish chat property ${property.name}`,
				body: { name: property.name, owner_client_id: config.clientId, access_type: ['read', 'write'] },
				itemIndex,
			});
		}
	}
	if (propertiesReady.size >= PROPERTIES_READY_MAX) propertiesReady.clear();
	propertiesReady.add(config.clientId);
	return registered;
}
