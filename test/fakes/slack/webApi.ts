import * as http from 'http';

import { injectedFault, queryOf } from '../http';
import { fail, parseMultipart, readRaw } from './common';
import type { ApiContext, Reply, SlackApiCall, SlackUser } from './common';
import { SlackEvents } from './events';

export type ApiMethod = (ctx: ApiContext) => Reply;

/**
 * The HTTP side: `https://slack.com/api/<method>` (arguments from the query string and a JSON,
 * form or multipart body; the token as `Authorization: Bearer` or a `token` argument), and the
 * files host (upload URLs, url_private downloads). Method errors are HTTP 200 `{ok: false, error}`.
 */
export abstract class SlackWebApi extends SlackEvents {
	protected methods = new Map<string, ApiMethod>();

	/** The request handler, for the TLS proxy (hosts slack.com and files.slack.com) or any server. */
	readonly handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
		this.handle(req, res).catch((err) => {
			if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
			res.end(`simulator error: ${String(err?.message ?? err)}`);
		});
	};

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://slack.com');
		const raw = await readRaw(req);
		const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
		const method = (req.method ?? 'GET').toUpperCase();
		const call: SlackApiCall = {
			at: Date.now(),
			host,
			httpMethod: method,
			path: url.pathname,
			apiMethod: '',
			headers: req.headers,
			query: queryOf(url),
			args: {},
			contentType: req.headers['content-type'],
		};
		let reply: Reply;
		if (url.pathname.startsWith('/api/')) {
			call.apiMethod = url.pathname.slice('/api/'.length);
			this.calls.push(call);
			reply = this.api(call, raw);
		} else if (url.pathname.startsWith('/upload/v1/')) {
			call.apiMethod = 'upload';
			this.calls.push(call);
			reply = this.receiveUpload(call, raw);
		} else if (url.pathname.startsWith('/files-pri/')) {
			call.apiMethod = 'file';
			this.calls.push(call);
			reply = this.serveFile(call);
		} else {
			reply = { status: 404, raw: { contentType: 'text/plain', data: 'Not Found' } };
		}
		call.status = reply.status;
		const body = reply.body as { ok?: boolean; error?: string } | undefined;
		if (body && typeof body === 'object' && 'ok' in body) {
			call.ok = body.ok;
			if (body.error) call.error = body.error;
		}
		const data = reply.raw ? reply.raw.data : JSON.stringify(reply.body);
		res.writeHead(reply.status, {
			'Content-Type': reply.raw ? reply.raw.contentType : 'application/json; charset=utf-8',
			'Content-Length': String(Buffer.byteLength(data)),
			...(reply.headers ?? {}),
		});
		res.end(method === 'HEAD' ? undefined : data);
	}

	/** Arguments as Slack reads them: the query string, then the body (JSON, form or multipart). */
	private parseArgs(call: SlackApiCall, raw: Buffer): { args: Record<string, unknown>; bodyToken?: string; warning?: string } | Reply {
		const args: Record<string, unknown> = { ...call.query };
		const type = String(call.contentType ?? '').toLowerCase();
		let bodyToken: string | undefined;
		let warning: string | undefined;
		if (raw.length > 0) {
			if (type.startsWith('application/json')) {
				let parsed: unknown;
				try {
					parsed = JSON.parse(raw.toString('utf8'));
				} catch {
					return fail('invalid_json');
				}
				if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(args, parsed);
				// Documented: a JSON body cannot carry the token (only the Authorization header can).
				delete args.token;
				if (call.query.token) args.token = call.query.token;
				if (!/charset=/.test(type)) warning = 'missing_charset';
			} else if (type.startsWith('application/x-www-form-urlencoded')) {
				const form = new URLSearchParams(raw.toString('utf8'));
				form.forEach((value, key) => (args[key] = value));
				bodyToken = form.get('token') ?? undefined;
			} else if (type.startsWith('multipart/form-data')) {
				for (const part of parseMultipart(raw, type)) {
					args[part.name] = part.filename !== undefined ? { filename: part.filename, contentType: part.contentType, data: part.data } : part.data.toString('utf8');
				}
				bodyToken = typeof args.token === 'string' ? args.token : undefined;
			} else if (!type) {
				return fail('missing_post_type');
			} else if (!type.startsWith('text/plain')) {
				return fail('invalid_post_type');
			}
		}
		return { args, bodyToken: bodyToken ?? call.query.token, warning };
	}

	private api(call: SlackApiCall, raw: Buffer): Reply {
		const handler = this.methods.get(call.apiMethod);
		// (inferred) an unknown method answers unknown_method before any auth check.
		if (!handler) return { status: 404, body: { ok: false, error: 'unknown_method', req_method: call.apiMethod } };
		const parsed = this.parseArgs(call, raw);
		if ('status' in parsed) return parsed;
		call.args = Object.fromEntries(
			Object.entries(parsed.args).map(([k, v]) => [k, v && typeof v === 'object' && 'data' in (v as object) ? { ...(v as object), data: `<${(v as { data: Buffer }).data.length} bytes>` } : v]),
		);
		const injected = this.injectedReply(call.apiMethod);
		if (injected) {
			call.injected = true;
			return injected;
		}
		const token = this.bearer(call.headers) ?? parsed.bodyToken;
		if (!token) return fail('not_authed');
		const actor = this.tokens.get(token);
		if (!actor) return fail('invalid_auth');
		const reply = handler({ actor, args: parsed.args, call });
		if (parsed.warning && reply.body && typeof reply.body === 'object') {
			const body = reply.body as Record<string, any>;
			body.warning = parsed.warning;
			body.response_metadata = { ...(body.response_metadata ?? {}), warnings: [parsed.warning] };
		}
		return reply;
	}

	protected bearer(headers: http.IncomingHttpHeaders): string | undefined {
		const m = /^Bearer\s+(\S+)\s*$/i.exec(String(headers.authorization ?? ''));
		return m?.[1];
	}

	protected actorOf(headers: http.IncomingHttpHeaders): SlackUser | undefined {
		const token = this.bearer(headers);
		return token ? this.tokens.get(token) : undefined;
	}

	/** Slack's rate limit answer: HTTP 429, `{ok:false,error:"ratelimited"}`, Retry-After in seconds. */
	private injectedReply(apiMethod: string): Reply | undefined {
		const limit = this.options.faults?.rateLimit;
		if (limit && limit.calls > 0 && (!limit.methods || limit.methods.includes(apiMethod))) {
			limit.calls -= 1;
			const retryAfter = limit.retryAfterSec === undefined ? 1 : limit.retryAfterSec;
			return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: retryAfter === null ? {} : { 'Retry-After': String(retryAfter) } };
		}
		const status = injectedFault(this.options.faults?.random);
		if (status === undefined) return undefined;
		if (status === 429) return { status, body: { ok: false, error: 'ratelimited' }, headers: { 'Retry-After': '1' } };
		return { status, raw: { contentType: 'text/html', data: `<html><body>${status} (injected)</body></html>` } };
	}

	// The files host (methods.ts).
	protected abstract receiveUpload(call: SlackApiCall, raw: Buffer): Reply;
	protected abstract serveFile(call: SlackApiCall): Reply;
}
