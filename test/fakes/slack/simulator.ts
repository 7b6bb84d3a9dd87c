/**
 * Slack simulator: the Web API methods n8n 2.40.7's Slack node (V2) and Slack Trigger call, the
 * files host, and the Events API (signed deliveries to the app's Request URL, Slack's retries).
 * It is a request handler, not a server on 443: tests reach it as https://slack.com and
 * https://files.slack.com through test/e2e/lib/tlsProxy.ts (or mount `handler` anywhere).
 *
 * It behaves as Slack documents (docs.slack.dev), not as a client would like: errors are HTTP 200
 * `{ok:false,error}`, thread_ts is matched as an exact string, the app's own posts come back as
 * message events with bot_id, a delivery not answered 2xx within 3 s is retried up to 3 times.
 * What the docs leave open is marked "(inferred)" where it is decided.
 */
import * as crypto from 'crypto';
import * as http from 'http';

import { clone, close, listen } from '../http';
import { slackId } from './common';
import type { ChannelType, MessageRecord, SlackApiCall, SlackChannel, SlackFaults, SlackSimulatorOptions, SlackUser, UserPostOptions } from './common';
import { SlackFilesApi, mimetypeOf } from './filesApi';

export const DEFAULT_AGENT = { id: 'U0SIMAGT01', name: 'alice', realName: 'Alice Agent', email: 'alice@example.com' };

export class SlackSimulator extends SlackFilesApi {
	private server: http.Server | undefined;

	constructor(options: SlackSimulatorOptions = {}) {
		super();
		this.options = this.resolveOptions(options);
		this.registerMessageMethods();
		this.registerFileAndUserMethods();
		this.resetState();
		this.addUser(DEFAULT_AGENT);
	}

	// ---------------------------------------------------------------- the app

	get token(): string {
		return this.options.token;
	}

	get signingSecret(): string {
		return this.options.signingSecret;
	}

	get teamId(): string {
		return this.options.teamId;
	}

	get appId(): string {
		return this.options.appId;
	}

	get botId(): string {
		return this.options.botId;
	}

	get botUserId(): string {
		return this.options.botUserId;
	}

	/** The saved Request URL, if any (see setEventUrl). */
	get requestUrl(): string | undefined {
		return this.eventUrl;
	}

	/** The hosts `handler` serves, for the TLS proxy. */
	get hosts(): Record<string, http.RequestListener> {
		return { 'slack.com': this.handler, 'files.slack.com': this.handler };
	}

	/** Every secret of the app (token, signing secret, verification token, user tokens), for leak checks. */
	secrets(): string[] {
		return [...new Set([...this.tokens.keys(), this.options.signingSecret, this.options.verificationToken])];
	}

	// ---------------------------------------------------------------- the workspace

	/** A human user (optionally with a user token that acts as them on the Web API). */
	addUser(input: { id?: string; name: string; realName?: string; email?: string; token?: string }): SlackUser {
		const user: SlackUser = {
			id: input.id ?? slackId('U', 9),
			name: input.name,
			realName: input.realName ?? input.name,
			email: input.email,
			isBot: false,
			token: input.token,
		};
		this.users.set(user.id, user);
		if (user.token) this.tokens.set(user.token, user);
		return { ...user };
	}

	/** A channel; its members are every human user known so far and (unless `botMember: false`) the bot. */
	createChannel(input: { id?: string; name: string; type?: ChannelType; botMember?: boolean; members?: string[] }): { id: string; name: string } {
		const humans = [...this.users.values()].filter((u) => !u.isBot).map((u) => u.id);
		const channel = this.newChannel({ ...input, members: input.members ?? humans });
		return { id: channel.id, name: channel.name };
	}

	/** Invites the bot (or anyone) into a channel, as `/invite @bot` does. */
	join(channelId: string, userId = this.options.botUserId): void {
		this.requireChannel(channelId).members.add(userId);
	}

	archive(channelId: string): void {
		this.requireChannel(channelId).archived = true;
	}

	/**
	 * A person writes in Slack (an agent answering in a thread): stored, and delivered to the
	 * Request URL as a message event (client_msg_id, rich_text blocks, thread_ts and parent_user_id
	 * for replies; subtype file_share with `files` when files are attached), as Slack does.
	 */
	userPosts(channelId: string, text: string, options: UserPostOptions = {}): Record<string, any> {
		const channel = this.requireChannel(channelId);
		const user = this.users.get(options.user ?? DEFAULT_AGENT.id) ?? [...this.users.values()].find((u) => !u.isBot);
		if (!user || user.isBot) throw new Error(`unknown user ${options.user}`);
		if (!channel.members.has(user.id)) throw new Error(`${user.id} is not in ${channel.id}`);
		let threadTs: string | undefined;
		if (options.threadTs !== undefined) {
			const root = this.messagesOf(channel.id).find((m) => m.ts === options.threadTs && !m.ghost);
			if (!root) throw new Error(`no message ${options.threadTs} in ${channel.id} (the Slack client offers no such thread)`);
			threadTs = root.threadTs ?? root.ts;
		}
		const ts = this.nextTs();
		const fileIds = (options.files ?? []).map((f) => {
			const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : Buffer.from(f.data);
			const id = slackId('F', 10);
			this.files.set(id, { id, name: f.name, title: f.title ?? f.name, mimetype: mimetypeOf(f.name, f.mimetype), size: data.length, user: user.id, created: Math.floor(Date.now() / 1000), data, shared: true });
			return id;
		});
		const broadcast = threadTs !== undefined && options.replyBroadcast === true;
		const message: MessageRecord = {
			channel: channel.id,
			ts,
			type: 'message',
			subtype: fileIds.length ? 'file_share' : broadcast ? 'thread_broadcast' : undefined,
			user: user.id,
			text,
			clientMsgId: crypto.randomUUID(),
			blocks: this.blocksFor(text, undefined),
			threadTs,
			replyBroadcast: broadcast || undefined,
			files: fileIds.length ? fileIds : undefined,
			reactions: [],
		};
		this.storeMessage(message);
		this.emitMessage(message);
		for (const id of fileIds) this.emitFileShared(id, user.id, channel.id);
		return this.messageView(message);
	}

	/** A person adds a reaction in Slack (delivered as reaction_added). */
	userReacts(channelId: string, ts: string, name: string, userId = DEFAULT_AGENT.id): void {
		const message = this.findMessage(this.requireChannel(channelId).id, ts);
		if (!message) throw new Error(`no message ${ts} in ${channelId}`);
		const reaction = message.reactions.find((r) => r.name === name) ?? { name, users: [] };
		if (!message.reactions.includes(reaction)) message.reactions.push(reaction);
		if (!reaction.users.includes(userId)) reaction.users.push(userId);
		this.emitReaction(userId, name, message);
	}

	/**
	 * Messages as Slack shows them, oldest first: the channel's top level, or one thread (root
	 * first). Replies to a thread_ts that matched no message are in neither (see ghostMessages).
	 */
	getMessages(channelId: string, threadTs?: string): Array<Record<string, any>> {
		const list = this.messagesOf(this.requireChannel(channelId).id).filter((m) => !m.ghost);
		const chosen =
			threadTs === undefined
				? list.filter((m) => m.threadTs === undefined || m.threadTs === m.ts || m.replyBroadcast)
				: list.filter((m) => m.ts === threadTs || m.threadTs === threadTs);
		return chosen.map((m) => this.messageView(m));
	}

	/** Posts Slack accepted with a thread_ts that matched no message: nobody sees them. */
	ghostMessages(channelId: string): Array<Record<string, any>> {
		return this.messagesOf(channelId).filter((m) => m.ghost).map((m) => this.messageView(m));
	}

	/** A stored file's bytes (uploads through the API, or files users attached). */
	getFile(fileId: string): { name: string; title: string; mimetype: string; data: Buffer } | undefined {
		const f = this.files.get(fileId);
		return f && { name: f.name, title: f.title, mimetype: f.mimetype, data: Buffer.from(f.data) };
	}

	getCalls(apiMethod?: string): SlackApiCall[] {
		return clone(this.calls.filter((c) => apiMethod === undefined || c.apiMethod === apiMethod));
	}

	/**
	 * Sends a delivered event again the way Slack retries it: same body and event_id, with
	 * `X-Slack-Retry-Num` and `X-Slack-Retry-Reason` (default http_timeout: what a receiver that
	 * answered after more than 3 s gets). Resolves once that attempt settled.
	 */
	async simulateRetry(eventId: string, reason = 'http_timeout', retryNum = 1): Promise<void> {
		const before = this.attempts.length;
		this.redeliver(eventId, reason, retryNum);
		await this.idle();
		if (this.attempts.length === before) throw new Error(`retry of ${eventId} was not sent`);
	}

	// ---------------------------------------------------------------- controls

	/** Changes options of a running simulator (signing secret, subscriptions, timing…). */
	configure(options: Pick<SlackSimulatorOptions, 'signingSecret' | 'subscriptions' | 'timeScale' | 'ackTimeoutMs' | 'maxRetries'>): void {
		const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
		this.options = { ...this.options, ...defined };
	}

	/** Reliability tests: injected 429s / failures (see SlackFaults); `{}` stops them. */
	setFaults(faults: SlackFaults): void {
		this.options.faults = clone(faults);
	}

	/** Serves `handler` on plain HTTP (for tests that do not go through the TLS proxy). */
	async listen(port = 0, host = '127.0.0.1'): Promise<string> {
		this.server = http.createServer(this.handler);
		const bound = await listen(this.server, port, host);
		return `http://${host}:${bound}`;
	}

	/** Forgets channels, messages, files, calls, deliveries and the Request URL; keeps the app and its users. */
	reset(): void {
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pending.clear();
		const humans = [...this.users.values()].filter((u) => !u.isBot);
		this.resetState();
		for (const u of humans) {
			this.users.set(u.id, u);
			if (u.token) this.tokens.set(u.token, u);
		}
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pending.clear();
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	private requireChannel(id: string): SlackChannel {
		const channel = this.channels.get(id);
		if (!channel) throw new Error(`unknown channel ${id}`);
		return channel;
	}

	private messagesOf(channelId: string): MessageRecord[] {
		return this.channelMessages(channelId);
	}
}
