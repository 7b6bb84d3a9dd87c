import * as crypto from 'crypto';

import { fail, jsonArg, missingArg, ok, parseMultipart, slackId } from './common';
import type { ApiContext, MessageRecord, Reply, SlackApiCall, SlackFile } from './common';
import { SlackMessagesApi } from './messagesApi';

const MIME_BY_EXTENSION: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	pdf: 'application/pdf',
	txt: 'text/plain',
	json: 'application/json',
};

export function mimetypeOf(name: string, given?: string): string {
	if (given && given !== 'application/octet-stream') return given;
	return MIME_BY_EXTENSION[name.split('.').pop()?.toLowerCase() ?? ''] ?? given ?? 'application/octet-stream';
}

/**
 * Files as n8n 2.40.7's Slack node (2.2+) uploads them: files.getUploadURLExternal (GET, filename
 * and length), a multipart POST of the bytes to the returned upload_url on files.slack.com, then
 * files.completeUploadExternal; files.info; url_private downloads (Bearer token); users.*, auth.test.
 */
export abstract class SlackFilesApi extends SlackMessagesApi {
	protected registerFileAndUserMethods(): void {
		this.methods.set('files.getUploadURLExternal', (ctx) => this.getUploadUrl(ctx));
		this.methods.set('files.completeUploadExternal', (ctx) => this.completeUpload(ctx));
		// Retired by Slack (Nov 2025) in favour of the two calls above; n8n's Slack node ≤ 2.1 still calls it (error code inferred).
		this.methods.set('files.upload', () => fail('method_deprecated'));
		this.methods.set('files.info', (ctx) => this.fileInfo(ctx));
		this.methods.set('users.info', (ctx) => this.userInfo(ctx));
		this.methods.set('users.list', (ctx) => this.listUsers(ctx));
		// The slackApi credential's test call.
		this.methods.set('users.profile.get', (ctx) => this.profile(ctx));
		this.methods.set('auth.test', (ctx) => this.authTest(ctx));
	}

	private getUploadUrl(ctx: ApiContext): Reply {
		const { args } = ctx;
		if (!args.filename) return missingArg('filename');
		if (args.length === undefined || args.length === '') return missingArg('length');
		const length = Number(args.length);
		if (!Number.isInteger(length) || length <= 0) return fail('missing_argument');
		const fileId = slackId('F', 10);
		const path = `/upload/v1/${crypto.randomBytes(24).toString('base64url')}`;
		this.uploads.set(path, { fileId, filename: String(args.filename), length });
		return ok({ upload_url: `${this.options.filesOrigin}${path}`, file_id: fileId });
	}

	/** The upload URL takes the bytes raw or as a multipart `file` part; it needs no token (inferred). */
	protected receiveUpload(call: SlackApiCall, raw: Buffer): Reply {
		const ticket = this.uploads.get(call.path);
		if (!ticket || call.httpMethod !== 'POST') return { status: 404, raw: { contentType: 'text/plain', data: 'Not Found' } };
		const type = String(call.contentType ?? '');
		if (type.startsWith('multipart/form-data')) {
			const part = parseMultipart(raw, type).find((p) => p.filename !== undefined) ?? parseMultipart(raw, type)[0];
			ticket.received = part?.data ?? Buffer.alloc(0);
			ticket.mimetype = part?.contentType;
		} else {
			ticket.received = raw;
			ticket.mimetype = type || undefined;
		}
		call.args = { bytes: ticket.received.length, fileId: ticket.fileId };
		// (inferred) the answer widely reported for upload URLs.
		return { status: 200, raw: { contentType: 'text/plain; charset=utf-8', data: `OK - ${ticket.received.length}` } };
	}

	private completeUpload(ctx: ApiContext): Reply {
		const { args, actor } = ctx;
		const list = jsonArg(args.files);
		if (!Array.isArray(list) || list.length === 0) return missingArg('files');
		const tickets = list.map((f: { id?: string; title?: string }) => ({
			entry: f,
			ticket: [...this.uploads.values()].find((t) => t.fileId === f?.id && t.received),
		}));
		if (tickets.some((t) => !t.ticket)) return fail('file_not_found');
		const channelRef = args.channel_id ?? (typeof args.channels === 'string' ? args.channels.split(',')[0]?.trim() : undefined);
		const channel = channelRef ? this.findChannel(channelRef) : undefined;
		if (channelRef && !channel) return fail('invalid_channel');
		if (channel && !channel.members.has(actor.id)) return fail('posting_to_channel_denied');
		const thread = channel ? this.resolveThread(channel, args.thread_ts) : {};
		if ('status' in thread) return thread;
		const files: SlackFile[] = tickets.map(({ entry, ticket }) => {
			const file: SlackFile = {
				id: ticket!.fileId,
				name: ticket!.filename,
				title: entry.title ?? ticket!.filename,
				mimetype: mimetypeOf(ticket!.filename, ticket!.mimetype),
				size: ticket!.received!.length,
				user: actor.id,
				created: Math.floor(Date.now() / 1000),
				data: ticket!.received!,
				shared: Boolean(channel),
			};
			this.files.set(file.id, file);
			return file;
		});
		for (const [path, ticket] of this.uploads) if (files.some((f) => f.id === ticket.fileId)) this.uploads.delete(path);
		if (channel) {
			// (inferred) the share appears as a file_share message of the uploader (Slack shares asynchronously).
			const message: MessageRecord = {
				channel: channel.id,
				ts: this.nextTs(),
				type: 'message',
				subtype: 'file_share',
				user: actor.id,
				text: typeof args.initial_comment === 'string' ? args.initial_comment : '',
				botId: actor.isBot ? this.options.botId : undefined,
				threadTs: thread.threadTs,
				ghost: thread.ghost,
				files: files.map((f) => f.id),
				reactions: [],
			};
			this.storeMessage(message);
			this.emitMessage(message);
			for (const f of files) this.emitFileShared(f.id, actor.id, channel.id);
		}
		// Slack's sample shows id and title; the full file object is returned here (inferred).
		return ok({ files: files.map((f) => this.fileView(f)) });
	}

	private fileInfo(ctx: ApiContext): Reply {
		const file = this.files.get(String(ctx.args.file ?? ''));
		if (!file) return fail('file_not_found');
		return ok({ file: this.fileView(file), comments: [], response_metadata: { next_cursor: '' } });
	}

	/**
	 * `url_private(_download)`: the bytes with a valid token; without one, a sign-in page with
	 * status 200 (inferred: what clients that forget the header report getting).
	 */
	protected serveFile(call: SlackApiCall): Reply {
		const m = /^\/files-pri\/([A-Z0-9]+)-([A-Z0-9]+)\/(?:download\/)?([^/]+)$/.exec(call.path);
		const file = m && m[1] === this.options.teamId ? this.files.get(m[2]) : undefined;
		if (!file || decodeURIComponent(m![3]) !== file.name) return { status: 404, raw: { contentType: 'text/plain', data: 'Not Found' } };
		if (!this.actorOf(call.headers)) {
			const page = `<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to ${this.options.teamName}</body></html>`;
			return { status: 200, raw: { contentType: 'text/html; charset=utf-8', data: page } };
		}
		const disposition = call.path.includes('/download/') ? 'attachment' : 'inline';
		return {
			status: 200,
			raw: { contentType: file.mimetype, data: file.data },
			headers: { 'Content-Disposition': `${disposition}; filename="${encodeURIComponent(file.name)}"` },
		};
	}

	private userInfo(ctx: ApiContext): Reply {
		const user = this.users.get(String(ctx.args.user ?? ''));
		if (!user) return fail('user_not_found');
		return ok({ user: this.userView(user) });
	}

	private listUsers(ctx: ApiContext): Reply {
		const page = this.page([...this.users.values()], ctx.args, 100, 1000);
		if ('status' in page) return page;
		return ok({ members: page.items.map((u) => this.userView(u)), cache_ts: Math.floor(Date.now() / 1000), response_metadata: { next_cursor: page.next ?? '' } });
	}

	private profile(ctx: ApiContext): Reply {
		const user = ctx.args.user ? this.users.get(String(ctx.args.user)) : ctx.actor;
		if (!user) return fail('user_not_found');
		return ok({ profile: this.userView(user).profile as Record<string, unknown> });
	}

	private authTest(ctx: ApiContext): Reply {
		const { actor } = ctx;
		return ok({
			url: `https://${this.options.teamDomain}.slack.com/`,
			team: this.options.teamName,
			user: actor.name,
			team_id: this.options.teamId,
			user_id: actor.id,
			...(actor.isBot ? { bot_id: this.options.botId } : {}),
			is_enterprise_install: false,
		});
	}
}
