/**
 * Small HTTP helpers shared by the platform simulators (Node's `http` only, no dependencies).
 *
 * - `Router`: method + path-pattern routing (`/v1/customers/:id/`), exact match, no magic.
 * - `readBody` / `sendJson` / `sendText`: request and response plumbing.
 * - `Outbox`: outgoing POSTs (webhook deliveries) that `stop()` can abort.
 * - `Timers`: every timer a simulator sets, so `stop()` / `reset()` can clear them all.
 * - `httpRequest`: a tiny client without keep-alive, used by the simulators and the tests.
 */
import * as http from 'http';
import * as crypto from 'crypto';
import type { AddressInfo } from 'net';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Route<H> {
	method: string;
	regex: RegExp;
	keys: string[];
	handler: H;
}

/** Exact-match router. Patterns use `:name` segments; a trailing `/` is significant. */
export class Router<H> {
	private routes: Array<Route<H>> = [];

	add(method: string, pattern: string, handler: H): void {
		const keys: string[] = [];
		const source = pattern
			.split('/')
			.map((segment) => {
				if (segment.startsWith(':')) {
					keys.push(segment.slice(1));
					return '([^/]+)';
				}
				return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			})
			.join('/');
		this.routes.push({ method: method.toUpperCase(), regex: new RegExp(`^${source}$`), keys, handler });
	}

	/** `handler` for the method, or `'method'` if the path exists with other methods, or undefined. */
	match(
		method: string,
		path: string,
	): { handler: H; params: Record<string, string> } | 'method' | undefined {
		let pathMatched = false;
		for (const route of this.routes) {
			const m = route.regex.exec(path);
			if (!m) continue;
			pathMatched = true;
			if (route.method !== method.toUpperCase()) continue;
			const params: Record<string, string> = {};
			route.keys.forEach((key, i) => {
				params[key] = decodeURIComponent(m[i + 1]);
			});
			return { handler: route.handler, params };
		}
		return pathMatched ? 'method' : undefined;
	}
}

export interface MultipartPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

/** Every part of a multipart/form-data body, or undefined when the content type names no boundary. */
export function parseMultipart(raw: Buffer, contentType: string): MultipartPart[] | undefined {
	const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!match) return undefined;
	const boundary = Buffer.from(`--${(match[1] ?? match[2]).trim()}`);
	const parts: MultipartPart[] = [];
	let start = raw.indexOf(boundary);
	while (start !== -1) {
		const next = raw.indexOf(boundary, start + boundary.length);
		if (next === -1) break;
		const part = raw.subarray(start + boundary.length + 2, next - 2);
		const headerEnd = part.indexOf('\r\n\r\n');
		if (headerEnd !== -1) {
			const headers = part.subarray(0, headerEnd).toString('utf8');
			const name = /\bname="([^"]*)"/i.exec(headers)?.[1];
			if (name !== undefined) {
				parts.push({
					name,
					filename: /filename="([^"]*)"/i.exec(headers)?.[1],
					contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim(),
					data: Buffer.from(part.subarray(headerEnd + 4)),
				});
			}
		}
		start = next;
	}
	return parts;
}

/** The raw request body, refused beyond `limit` bytes. */
export function readRaw(req: http.IncomingMessage, limit = 5 * 1024 * 1024): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new Error('body too large'));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export async function readBody(req: http.IncomingMessage, limit = 5 * 1024 * 1024): Promise<string> {
	return (await readRaw(req, limit)).toString('utf8');
}

export function parseJsonBody(raw: string): unknown {
	if (raw.trim() === '') return undefined;
	return JSON.parse(raw);
}

export function sendJson(
	res: http.ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	if (res.headersSent) return;
	const text = body === undefined ? '' : JSON.stringify(body);
	res.writeHead(status, {
		...(text === '' ? {} : { 'Content-Type': 'application/json' }),
		'Content-Length': Buffer.byteLength(text).toString(),
		...headers,
	});
	res.end(text);
}

export function sendText(
	res: http.ServerResponse,
	status: number,
	text: string,
	headers: Record<string, string> = {},
): void {
	if (res.headersSent) return;
	res.writeHead(status, {
		'Content-Type': 'text/plain; charset=utf-8',
		'Content-Length': Buffer.byteLength(text).toString(),
		...headers,
	});
	res.end(text);
}

export function queryOf(url: URL): Record<string, string> {
	const query: Record<string, string> = {};
	url.searchParams.forEach((value, key) => {
		query[key] = value;
	});
	return query;
}

/** Timers that can all be cancelled at once. */
export class Timers {
	private handles = new Set<NodeJS.Timeout>();

	set(fn: () => void, ms: number): NodeJS.Timeout {
		const handle = setTimeout(() => {
			this.handles.delete(handle);
			fn();
		}, Math.max(0, ms));
		this.handles.add(handle);
		return handle;
	}

	clear(handle: NodeJS.Timeout | undefined): void {
		if (!handle) return;
		clearTimeout(handle);
		this.handles.delete(handle);
	}

	clearAll(): void {
		for (const handle of this.handles) clearTimeout(handle);
		this.handles.clear();
	}
}

export interface HttpResult {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	/** Parsed JSON, or the raw text when the body is not JSON. */
	body: any;
}

export interface HttpRequestOptions {
	method?: string;
	headers?: Record<string, string>;
	/** Objects are sent as JSON; strings as they are. */
	body?: unknown;
	timeoutMs?: number;
}

/** Outgoing requests that can be aborted together (used for webhook deliveries). */
export class Outbox {
	private inFlight = new Set<http.ClientRequest>();

	request(url: string, options: HttpRequestOptions = {}): Promise<HttpResult> {
		return httpRequest(url, options, this.inFlight);
	}

	abortAll(): void {
		for (const req of this.inFlight) req.destroy(new Error('simulator stopped'));
		this.inFlight.clear();
	}
}

/** Minimal HTTP client (no keep-alive, so nothing stays open after a test). */
export function httpRequest(
	url: string,
	options: HttpRequestOptions = {},
	track?: Set<http.ClientRequest>,
): Promise<HttpResult> {
	return new Promise((resolve, reject) => {
		const target = new URL(url);
		let payload: string | undefined;
		const headers: Record<string, string> = { ...(options.headers ?? {}) };
		if (options.body !== undefined) {
			payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
			if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
				headers['Content-Type'] = 'application/json';
			}
			headers['Content-Length'] = Buffer.byteLength(payload).toString();
		}
		const req = http.request(
			{
				protocol: target.protocol,
				hostname: target.hostname,
				port: target.port,
				path: `${target.pathname}${target.search}`,
				method: options.method ?? 'GET',
				headers,
				agent: false,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					track?.delete(req);
					const text = Buffer.concat(chunks).toString('utf8');
					let body: unknown = text;
					try {
						body = text === '' ? undefined : JSON.parse(text);
					} catch {
						body = text;
					}
					resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
				});
				res.on('error', (err) => {
					track?.delete(req);
					reject(err);
				});
			},
		);
		track?.add(req);
		if (options.timeoutMs !== undefined) {
			req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`timeout after ${options.timeoutMs} ms`)));
		}
		req.on('error', (err) => {
			track?.delete(req);
			reject(err);
		});
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

/** Starts `server` on host:port and resolves with the bound port. */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const onError = (err: Error) => reject(err);
		server.once('error', onError);
		server.listen(port, host, () => {
			server.off('error', onError);
			resolve((server.address() as AddressInfo).port);
		});
	});
}

export function close(server: http.Server): Promise<void> {
	return new Promise((resolve) => {
		server.closeAllConnections();
		server.close(() => resolve());
	});
}

export function randomHex(bytes: number): string {
	return crypto.randomBytes(bytes).toString('hex');
}

/** Mongo-style 24-hex ObjectId: 4-byte time, then random, then a counter. */
let objectIdCounter = crypto.randomInt(0, 0xffffff);
export function objectId(): string {
	objectIdCounter = (objectIdCounter + 1) % 0xffffff;
	const time = Math.floor(Date.now() / 1000)
		.toString(16)
		.padStart(8, '0');
	return `${time}${randomHex(5)}${objectIdCounter.toString(16).padStart(6, '0')}`;
}

export function isObject(value: unknown): value is Record<string, any> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
	return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Waits until `condition()` is true (polling), or rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, pollMs = 5): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, pollMs));
	}
}

/**
 * Injected failures, for reliability tests only (not platform behaviour): a share of API calls is
 * refused before it reaches the platform's logic, as a proxy or an overloaded front end would, so
 * nothing was stored and a retry is safe. `statuses` are picked at random.
 */
export interface FaultInjection {
	/** 0..1: the share of API calls refused. */
	rate: number;
	/** Default [429, 500, 502, 503]. */
	statuses?: number[];
}

/** The status to refuse this call with, or undefined to let it through. */
export function injectedFault(faults: FaultInjection | undefined): number | undefined {
	if (!faults || !(faults.rate > 0) || Math.random() >= faults.rate) return undefined;
	const statuses = faults.statuses?.length ? faults.statuses : [429, 500, 502, 503];
	return statuses[crypto.randomInt(0, statuses.length)];
}
