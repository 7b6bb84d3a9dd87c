/**
 * A Telegram Bot API server for n8n's Telegram nodes, as a **local Bot API server** is (the
 * `telegramApi` credential's Base URL points at it; core.telegram.org/bots/api, "Using a Local Bot
 * API Server": a webhook may then be an http URL on a local address and any port). Methods under
 * `/bot<token>/<method>` as POST JSON (or query string), answered `{ok: true, result}` or `{ok:
 * false, error_code, description}`: getMe, setWebhook, getWebhookInfo, deleteWebhook, sendMessage.
 * Customers write with `customerSays`: an Update (`update_id` increasing, `message` with `chat`,
 * `from`, `date`, `text`) is POSTed to the webhook with `X-Telegram-Bot-Api-Secret-Token`, up to
 * `max_connections` (default 40) at a time, as Telegram does, and tried again when not answered 2xx.
 * CHOICE: retries every 1 s × timeScale, 5 attempts (Telegram documents "a reasonable amount of
 * attempts", not how many).
 */
import * as http from 'http';

import { close, listen, parseJsonBody, readBody, sendJson } from '../../fakes/http';

export interface TelegramMessage {
	message_id: number;
	from?: { id: number; is_bot: boolean; first_name: string; username?: string };
	chat: { id: number; type: 'private'; first_name?: string };
	date: number;
	text?: string;
}

export interface TelegramUpdate {
	update_id: number;
	message: TelegramMessage;
}

export interface TelegramDelivery {
	updateId: number;
	attempt: number;
	status: number | null;
	at: number;
}

interface Webhook {
	url: string;
	secretToken: string;
	allowedUpdates: string[];
	maxConnections: number;
}

const BOT = { id: 7_000_000_001, is_bot: true, first_name: 'Shop Bot', username: 'shop_e2e_bot' };

export class TelegramBotApi {
	/** Messages the bot sent (sendMessage), oldest first. */
	readonly sent: Array<TelegramMessage & { body: Record<string, unknown> }> = [];
	readonly deliveries: TelegramDelivery[] = [];
	/** Every method call: name and parameters. */
	readonly calls: Array<{ method: string; params: Record<string, unknown> }> = [];
	private webhook: Webhook | null = null;
	private nextUpdateId = 500_000_001;
	private nextMessageId = 1;
	private queue: TelegramUpdate[] = [];
	private inFlight = 0;
	/** The most updates that were on their way to the webhook at once. */
	maxInFlight = 0;
	private pending = 0;
	private server: http.Server | undefined;
	private port = 0;
	private stopped = false;

	constructor(readonly token: string, private readonly opts: { timeScale?: number } = {}) {}

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err?.message ?? err)}` }));
		});
		this.port = await listen(this.server, 0, '127.0.0.1');
		return this;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		if (this.server) await close(this.server);
	}

	/** The credential's Base URL (without `/bot<token>`). */
	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	get webhookInfo(): Webhook | null {
		return this.webhook ? { ...this.webhook } : null;
	}

	/** Every secret the server knows: the bot token and the webhook's secret token. */
	secrets(): string[] {
		return [this.token, this.webhook?.secretToken ?? ''].filter(Boolean);
	}

	/** Resolves when no update is waiting or on its way. */
	async idle(timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (this.pending > 0) {
			if (Date.now() > deadline) throw new Error(`telegram: ${this.pending} updates still on their way`);
			await new Promise((r) => setTimeout(r, 20));
		}
	}

	/** A customer writes to the bot in a private chat: the update goes to the webhook. */
	customerSays(user: { id: number; firstName: string }, text: string): TelegramUpdate {
		const update: TelegramUpdate = {
			update_id: this.nextUpdateId++,
			message: {
				message_id: this.nextMessageId++,
				from: { id: user.id, is_bot: false, first_name: user.firstName },
				chat: { id: user.id, type: 'private', first_name: user.firstName },
				date: Math.floor(Date.now() / 1000),
				text,
			},
		};
		this.pending++;
		this.queue.push(update);
		this.pump();
		return update;
	}

	private pump(): void {
		while (this.webhook && this.queue.length > 0 && this.inFlight < this.webhook.maxConnections) {
			const update = this.queue.shift()!;
			this.inFlight++;
			this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
			void this.deliver(update).finally(() => {
				this.inFlight--;
				this.pending--;
				this.pump();
			});
		}
	}

	private async deliver(update: TelegramUpdate): Promise<void> {
		const scale = this.opts.timeScale ?? 1;
		for (let attempt = 1; attempt <= 5 && !this.stopped; attempt++) {
			const webhook = this.webhook;
			if (!webhook) return;
			const status = await post(webhook.url, JSON.stringify(update), { 'X-Telegram-Bot-Api-Secret-Token': webhook.secretToken }).catch(() => null);
			this.deliveries.push({ updateId: update.update_id, attempt, status, at: Date.now() });
			if (status !== null && status >= 200 && status < 300) return;
			await new Promise((r) => setTimeout(r, 1000 * scale));
		}
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
		const raw = await readBody(req);
		if (!match) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
		const [, token, method] = match;
		if (token !== this.token) return sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
		let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
		try {
			const body = parseJsonBody(raw);
			if (body && typeof body === 'object') params = { ...params, ...(body as Record<string, unknown>) };
		} catch {
			return sendJson(res, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" });
		}
		this.calls.push({ method, params });
		const ok = (result: unknown) => sendJson(res, 200, { ok: true, result });
		const bad = (description: string) => sendJson(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });
		switch (method.toLowerCase()) {
			case 'getme':
				return ok(BOT);
			case 'setwebhook': {
				const target = String(params.url ?? '');
				if (target === '') {
					this.webhook = null;
					return ok(true);
				}
				if (!/^https?:\/\//.test(target)) return bad('bad webhook: Failed to resolve host: Name or service not known');
				const secret = params.secret_token === undefined ? '' : String(params.secret_token);
				// 1-256 characters A-Z, a-z, 0-9, _ and -.
				if (secret !== '' && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) return bad('secret token contains unallowed characters');
				const allowed = Array.isArray(params.allowed_updates) ? (params.allowed_updates as string[]) : (this.webhook?.allowedUpdates ?? []);
				if (params.drop_pending_updates === true) {
					this.pending -= this.queue.length;
					this.queue = [];
				}
				this.webhook = { url: target, secretToken: secret, allowedUpdates: allowed, maxConnections: Number(params.max_connections ?? 40) || 40 };
				ok(true);
				this.pump();
				return;
			}
			case 'getwebhookinfo':
				return ok({
					url: this.webhook?.url ?? '',
					has_custom_certificate: false,
					pending_update_count: this.queue.length,
					max_connections: this.webhook?.maxConnections ?? 40,
					...(this.webhook && this.webhook.allowedUpdates.length > 0 ? { allowed_updates: this.webhook.allowedUpdates } : {}),
				});
			case 'deletewebhook':
				this.webhook = null;
				return ok(true);
			case 'sendmessage': {
				const chatId = Number(params.chat_id);
				const text = typeof params.text === 'string' ? params.text : '';
				if (!Number.isFinite(chatId)) return bad('chat not found');
				if (text.trim() === '') return bad('message text is empty');
				if (text.length > 4096) return bad('message is too long');
				const message: TelegramMessage = { message_id: this.nextMessageId++, from: BOT, chat: { id: chatId, type: 'private' }, date: Math.floor(Date.now() / 1000), text };
				this.sent.push({ ...message, body: params });
				return ok(message);
			}
			default:
				return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
		}
	}
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode ?? 0));
		});
		req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
		req.on('error', reject);
		req.end(body);
	});
}
