import { decodeCursor, encodeCursor, fail, jsonArg, missingArg, ok, truthy, tsToMicros } from './common';
import type { ApiContext, MessageRecord, Reply, SlackChannel } from './common';
import { SlackWebApi } from './webApi';

/** chat.postMessage / chat.update, reactions.add, conversations.history / replies / info / list. */
export abstract class SlackMessagesApi extends SlackWebApi {
	protected registerMessageMethods(): void {
		this.methods.set('chat.postMessage', (ctx) => this.postMessage(ctx));
		this.methods.set('chat.update', (ctx) => this.updateMessage(ctx));
		this.methods.set('reactions.add', (ctx) => this.addReaction(ctx));
		this.methods.set('conversations.history', (ctx) => this.history(ctx));
		this.methods.set('conversations.replies', (ctx) => this.replies(ctx));
		this.methods.set('conversations.info', (ctx) => this.channelInfo(ctx));
		this.methods.set('conversations.list', (ctx) => this.listChannels(ctx));
	}

	/** A channel the actor may use, or the error Slack gives. */
	protected usableChannel(ctx: ApiContext, ref: unknown, membership = true): SlackChannel | Reply {
		const channel = this.findChannel(ref);
		if (!channel) return fail('channel_not_found');
		// (inferred) reads and reactions need membership too, as posts do (not_in_channel).
		if (membership && !channel.members.has(ctx.actor.id)) return fail('not_in_channel');
		return channel;
	}

	/**
	 * Resolves `thread_ts`: undefined (no thread), the root's ts, or a ghost. A malformed value is
	 * `invalid_thread_ts`; a well-formed one that matches no message is accepted and the reply is
	 * seen nowhere (python-slack-sdk#840: a float 1602251441.0017 for "1602251441.001700"). Only
	 * the exact string matches: Slack's ts is an id, not a number.
	 */
	protected resolveThread(channel: SlackChannel, value: unknown): { threadTs?: string; ghost?: boolean } | Reply {
		if (value === undefined || value === null || value === '') return {};
		const micros = tsToMicros(value);
		if (micros === undefined || micros === 0n) {
			return fail('invalid_thread_ts', { response_metadata: { messages: [`[ERROR] ${String(value)} is not a valid thread_ts`] } });
		}
		const given = String(value);
		const parent = this.findMessage(channel.id, given);
		if (!parent) return { threadTs: given, ghost: true };
		// (inferred) a reply's ts puts the message into that reply's thread.
		return { threadTs: parent.threadTs ?? parent.ts };
	}

	private postMessage(ctx: ApiContext): Reply {
		const { args, actor } = ctx;
		const channel = this.usableChannel(ctx, args.channel);
		if ('status' in channel) return channel;
		if (channel.archived) return fail('is_archived');
		const text = args.text === undefined || args.text === null ? '' : String(args.text);
		const blocks = jsonArg(args.blocks);
		const attachments = jsonArg(args.attachments);
		if (!text && !Array.isArray(blocks) && !Array.isArray(attachments)) return fail('no_text');
		if (text.length > 40_000) return fail('msg_too_long');
		const thread = this.resolveThread(channel, args.thread_ts);
		if ('status' in thread) return thread;
		const broadcast = thread.threadTs !== undefined && truthy(args.reply_broadcast);
		const message: MessageRecord = {
			channel: channel.id,
			ts: this.nextTs(),
			type: 'message',
			user: actor.id,
			text,
			botId: actor.isBot ? this.options.botId : undefined,
			blocks: attachments && !text && !Array.isArray(blocks) ? undefined : this.blocksFor(text, blocks),
			attachments: Array.isArray(attachments) ? attachments.map((a, i) => ({ id: i + 1, ...(a as object) })) : undefined,
			threadTs: thread.threadTs,
			ghost: thread.ghost,
			subtype: broadcast ? 'thread_broadcast' : undefined,
			replyBroadcast: broadcast || undefined,
			reactions: [],
		};
		if (actor.isBot && typeof args.username === 'string' && args.username) message.username = args.username;
		if (actor.isBot && typeof args.icon_emoji === 'string') message.icons = { emoji: args.icon_emoji };
		else if (actor.isBot && typeof args.icon_url === 'string') message.icons = { image_64: args.icon_url };
		this.storeMessage(message);
		// Slack sends the app its own posts as message events too (with bot_id).
		this.emitMessage(message);
		return ok({ channel: channel.id, ts: message.ts, message: this.messageView(message) });
	}

	private updateMessage(ctx: ApiContext): Reply {
		const { args, actor } = ctx;
		const channel = this.usableChannel(ctx, args.channel, false);
		if ('status' in channel) return channel;
		if (args.ts === undefined || args.ts === '') return fail('message_not_found');
		const message = this.findMessage(channel.id, String(args.ts));
		if (!message) return fail('message_not_found');
		if (message.user !== actor.id) return fail('cant_update_message');
		const blocks = jsonArg(args.blocks);
		const attachments = jsonArg(args.attachments);
		const hasText = args.text !== undefined && args.text !== null && args.text !== '';
		if (!hasText && !Array.isArray(blocks) && !Array.isArray(attachments)) return fail('no_text');
		const before = this.messageView(message);
		if (hasText) message.text = String(args.text);
		if (Array.isArray(blocks)) message.blocks = blocks;
		else if (hasText) message.blocks = this.blocksFor(message.text, undefined);
		if (Array.isArray(attachments)) message.attachments = attachments;
		// Slack's sample: a bot's edit is signed by its bot id.
		message.edited = { user: actor.isBot ? this.options.botId : actor.id, ts: this.nextTs() };
		this.emitChanged(before, message);
		return ok({ channel: channel.id, ts: message.ts, text: message.text, message: this.messageView(message) });
	}

	private addReaction(ctx: ApiContext): Reply {
		const { args, actor } = ctx;
		if (!args.name) return missingArg('name');
		const channel = this.usableChannel(ctx, args.channel);
		if ('status' in channel) return channel;
		const message = args.timestamp ? this.findMessage(channel.id, String(args.timestamp)) : undefined;
		if (!message) return fail('message_not_found');
		const name = String(args.name);
		if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) return fail('invalid_name');
		let reaction = message.reactions.find((r) => r.name === name);
		if (reaction?.users.includes(actor.id)) return fail('already_reacted');
		if (!reaction) {
			reaction = { name, users: [] };
			message.reactions.push(reaction);
		}
		reaction.users.push(actor.id);
		this.emitReaction(actor.id, name, message);
		return ok();
	}

	/** oldest/latest/inclusive as the history methods read them. */
	private inRange(args: Record<string, any>): ((m: MessageRecord) => boolean) | Reply {
		const oldest = args.oldest === undefined || args.oldest === '' ? 0n : tsToMicros(args.oldest);
		const latest = args.latest === undefined || args.latest === '' ? undefined : tsToMicros(args.latest);
		if (oldest === undefined) return fail('invalid_ts_oldest');
		if (args.latest !== undefined && args.latest !== '' && latest === undefined) return fail('invalid_ts_latest');
		const inclusive = truthy(args.inclusive);
		return (m) => {
			const t = tsToMicros(m.ts)!;
			const afterOldest = inclusive ? t >= oldest : t > oldest;
			const beforeLatest = latest === undefined || (inclusive ? t <= latest : t < latest);
			return afterOldest && beforeLatest;
		};
	}

	/** A page of `items` by `limit` and `cursor`, with Slack's has_more and next_cursor. */
	protected page<T>(items: T[], args: Record<string, any>, defaultLimit: number, maxLimit: number): { items: T[]; hasMore: boolean; next?: string } | Reply {
		const offset = decodeCursor(args.cursor);
		if (offset === 'invalid') return fail('invalid_cursor');
		const wanted = Number(args.limit);
		const limit = Number.isFinite(wanted) && wanted > 0 ? Math.min(Math.floor(wanted), maxLimit) : defaultLimit;
		const start = offset ?? 0;
		const slice = items.slice(start, start + limit);
		const hasMore = start + limit < items.length;
		return { items: slice, hasMore, next: hasMore ? encodeCursor(start + limit) : undefined };
	}

	/** Newest first; top-level messages and thread_broadcast replies only (Slack's history). */
	private history(ctx: ApiContext): Reply {
		const channel = this.usableChannel(ctx, ctx.args.channel);
		if ('status' in channel) return channel;
		const range = this.inRange(ctx.args);
		if (typeof range !== 'function') return range;
		const top = this.channelMessages(channel.id)
			.filter((m) => !m.ghost && (m.threadTs === undefined || m.threadTs === m.ts || m.replyBroadcast) && range(m))
			.reverse();
		const page = this.page(top, ctx.args, 100, 999);
		if ('status' in page) return page;
		return ok({
			messages: page.items.map((m) => this.messageView(m)),
			has_more: page.hasMore,
			pin_count: 0,
			channel_actions_ts: null,
			channel_actions_count: 0,
			...(page.next ? { response_metadata: { next_cursor: page.next } } : {}),
		});
	}

	/** The root, then its replies, oldest first; a reply's ts gives that reply alone. */
	private replies(ctx: ApiContext): Reply {
		const { args } = ctx;
		const channel = this.usableChannel(ctx, args.channel);
		if ('status' in channel) return channel;
		if (args.ts === undefined || args.ts === '') return missingArg('ts');
		const message = this.findMessage(channel.id, String(args.ts));
		if (!message) return fail('thread_not_found');
		const range = this.inRange(args);
		if (typeof range !== 'function') return range;
		const isReply = message.threadTs !== undefined && message.threadTs !== message.ts;
		// (inferred) the root is always listed first, whatever oldest/latest say.
		const thread = isReply ? [message] : [message, ...this.repliesOf(message).filter(range)];
		const page = this.page(thread, args, 1000, 1000);
		if ('status' in page) return page;
		return ok({
			messages: page.items.map((m) => this.messageView(m)),
			has_more: page.hasMore,
			...(page.next ? { response_metadata: { next_cursor: page.next } } : {}),
		});
	}

	private channelInfo(ctx: ApiContext): Reply {
		const channel = this.usableChannel(ctx, ctx.args.channel, false);
		if ('status' in channel) return channel;
		if (channel.type === 'private' && !channel.members.has(ctx.actor.id)) return fail('channel_not_found');
		return ok({ channel: this.channelView(channel, ctx.actor.id) });
	}

	private listChannels(ctx: ApiContext): Reply {
		const types = String(ctx.args.types ?? 'public_channel').split(',').map((t) => t.trim());
		const visible = [...this.channels.values()].filter(
			(c) =>
				(c.type === 'public' ? types.includes('public_channel') : types.includes('private_channel') && c.members.has(ctx.actor.id)) &&
				!(truthy(ctx.args.exclude_archived) && c.archived),
		);
		const page = this.page(visible, ctx.args, 100, 1000);
		if ('status' in page) return page;
		return ok({ channels: page.items.map((c) => this.channelView(c, ctx.actor.id)), response_metadata: { next_cursor: page.next ?? '' } });
	}
}
