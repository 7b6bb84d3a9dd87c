import * as crypto from 'crypto';

import { Outbox, Timers, clone } from '../http';
import { DEFAULTS, microsToTs, richTextBlocks, slackId } from './common';
import type {
	ChannelType,
	MessageRecord,
	SlackApiCall,
	SlackChannel,
	SlackDeliveryAttempt,
	SlackFile,
	SlackSimulatorOptions,
	SlackUser,
} from './common';

type ResolvedOptions = Required<Omit<SlackSimulatorOptions, 'faults'>> & Pick<SlackSimulatorOptions, 'faults'>;

/**
 * What the simulated workspace holds (the app and its bot user, human users, channels, messages,
 * files) and the views the Web API and the Events API show of it. The bottom layer of
 * SlackSimulator: events.ts → webApi.ts → methods.ts → simulator.ts build on it.
 */
export abstract class SlackState {
	protected options!: ResolvedOptions;
	protected timers = new Timers();
	protected outbox = new Outbox();
	protected stopped = false;

	protected users = new Map<string, SlackUser>();
	protected tokens = new Map<string, SlackUser>();
	protected channels = new Map<string, SlackChannel>();
	/** Per channel, in ts order. */
	protected messages = new Map<string, MessageRecord[]>();
	protected files = new Map<string, SlackFile>();
	/** Upload tickets of files.getUploadURLExternal, by URL path. */
	protected uploads = new Map<string, { fileId: string; filename: string; length: number; received?: Buffer; mimetype?: string }>();
	protected calls: SlackApiCall[] = [];
	protected attempts: SlackDeliveryAttempt[] = [];
	/** The app's one Request URL (Slack: one per app, saved after url_verification). */
	protected eventUrl: string | undefined;
	private lastMicros = 0n;

	protected resolveOptions(options: SlackSimulatorOptions): ResolvedOptions {
		return {
			token: options.token ?? DEFAULTS.token,
			signingSecret: options.signingSecret ?? DEFAULTS.signingSecret,
			verificationToken: options.verificationToken ?? DEFAULTS.verificationToken,
			teamId: options.teamId ?? DEFAULTS.teamId,
			teamDomain: options.teamDomain ?? DEFAULTS.teamDomain,
			teamName: options.teamName ?? DEFAULTS.teamName,
			appId: options.appId ?? DEFAULTS.appId,
			botId: options.botId ?? DEFAULTS.botId,
			botUserId: options.botUserId ?? DEFAULTS.botUserId,
			botName: options.botName ?? DEFAULTS.botName,
			subscriptions: options.subscriptions ?? DEFAULTS.subscriptions,
			timeScale: options.timeScale ?? 1,
			ackTimeoutMs: options.ackTimeoutMs ?? 3000,
			maxRetries: options.maxRetries ?? 3,
			filesOrigin: options.filesOrigin ?? DEFAULTS.filesOrigin,
			faults: options.faults,
		};
	}

	protected resetState(): void {
		this.users.clear();
		this.tokens.clear();
		this.channels.clear();
		this.messages.clear();
		this.files.clear();
		this.uploads.clear();
		this.calls = [];
		this.attempts = [];
		this.eventUrl = undefined;
		const bot: SlackUser = {
			id: this.options.botUserId,
			name: this.options.botName,
			realName: this.options.botName,
			isBot: true,
			token: this.options.token,
		};
		this.users.set(bot.id, bot);
		this.tokens.set(this.options.token, bot);
	}

	/** Strictly increasing message timestamps, "seconds.micros" from the clock. */
	protected nextTs(): string {
		let micros = BigInt(Date.now()) * 1000n;
		if (micros <= this.lastMicros) micros = this.lastMicros + 1n;
		this.lastMicros = micros;
		return microsToTs(micros);
	}

	protected get bot(): SlackUser {
		return this.users.get(this.options.botUserId)!;
	}

	protected newChannel(input: { id?: string; name: string; type?: ChannelType; botMember?: boolean; members?: string[] }): SlackChannel {
		const type = input.type ?? 'public';
		const channel: SlackChannel = {
			id: input.id ?? slackId(type === 'private' ? 'G' : 'C', 9),
			name: input.name,
			type,
			created: Math.floor(Date.now() / 1000),
			archived: false,
			members: new Set(input.members ?? []),
			topic: '',
			purpose: '',
		};
		if (input.botMember ?? true) channel.members.add(this.options.botUserId);
		this.channels.set(channel.id, channel);
		this.messages.set(channel.id, []);
		return channel;
	}

	/** By id, or (as chat.postMessage allows) by name with or without `#`. */
	protected findChannel(ref: unknown): SlackChannel | undefined {
		if (typeof ref !== 'string' || ref === '') return undefined;
		const byId = this.channels.get(ref);
		if (byId) return byId;
		const name = ref.replace(/^#/, '');
		return [...this.channels.values()].find((c) => c.name === name);
	}

	protected channelMessages(channelId: string): MessageRecord[] {
		return this.messages.get(channelId) ?? [];
	}

	protected findMessage(channelId: string, ts: string): MessageRecord | undefined {
		return this.channelMessages(channelId).find((m) => m.ts === ts && !m.ghost);
	}

	protected repliesOf(root: MessageRecord): MessageRecord[] {
		return this.channelMessages(root.channel).filter((m) => m.threadTs === root.ts && m.ts !== root.ts && !m.ghost);
	}

	protected storeMessage(message: MessageRecord): void {
		const list = this.messages.get(message.channel)!;
		list.push(message);
		list.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
	}

	protected botProfile(): Record<string, unknown> {
		const icons = { image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png', image_48: 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png', image_72: 'https://a.slack-edge.com/80588/img/plugins/app/service_72.png' };
		return { id: this.options.botId, app_id: this.options.appId, name: this.options.botName, icons, deleted: false, updated: 1700000000, team_id: this.options.teamId };
	}

	/**
	 * A message as the Web API and the Events API show it: bot posts carry bot_id, app_id and
	 * bot_profile (Slack's chat.update sample response); thread roots their reply counters
	 * (conversations.replies sample); replies their thread_ts and parent_user_id.
	 */
	protected messageView(m: MessageRecord): Record<string, any> {
		const view: Record<string, any> = { type: 'message' };
		if (m.subtype) view.subtype = m.subtype;
		view.text = m.text;
		view.user = m.user;
		view.ts = m.ts;
		view.team = this.options.teamId;
		if (m.clientMsgId) view.client_msg_id = m.clientMsgId;
		if (m.botId) {
			view.bot_id = m.botId;
			view.app_id = this.options.appId;
			view.bot_profile = this.botProfile();
		}
		if (m.username) view.username = m.username;
		if (m.icons) view.icons = { ...m.icons };
		if (m.blocks) view.blocks = clone(m.blocks);
		if (m.attachments) view.attachments = clone(m.attachments);
		if (m.files?.length) {
			view.files = m.files.map((id) => this.fileView(this.files.get(id)!));
			view.upload = false;
			view.display_as_bot = false;
		}
		if (m.edited) view.edited = { ...m.edited };
		if (m.threadTs && m.threadTs !== m.ts) {
			view.thread_ts = m.threadTs;
			const root = this.findMessage(m.channel, m.threadTs);
			if (root) view.parent_user_id = root.user;
			if (m.replyBroadcast) view.root = this.rootView(root);
		}
		const replies = m.threadTs === undefined || m.threadTs === m.ts ? this.repliesOf(m) : [];
		if (replies.length > 0) {
			const replyUsers = [...new Set(replies.map((r) => r.user))];
			Object.assign(view, {
				thread_ts: m.ts,
				reply_count: replies.length,
				reply_users_count: replyUsers.length,
				latest_reply: replies[replies.length - 1].ts,
				reply_users: replyUsers,
				is_locked: false,
				subscribed: false,
			});
		}
		if (m.reactions.length) view.reactions = m.reactions.map((r) => ({ name: r.name, users: [...r.users], count: r.users.length }));
		return { ...view, ...clone(m.extra ?? {}) };
	}

	private rootView(root: MessageRecord | undefined): Record<string, unknown> | undefined {
		if (!root) return undefined;
		const { reactions: _ignored, ...view } = this.messageView(root);
		return view;
	}

	/** Text-only posts get a rich_text block (seen in Slack's responses; inferred for all text posts). */
	protected blocksFor(text: string, given: unknown): unknown[] | undefined {
		if (Array.isArray(given)) return given;
		return text ? richTextBlocks(text) : undefined;
	}

	protected fileView(f: SlackFile): Record<string, unknown> {
		const name = encodeURIComponent(f.name);
		const base = `${this.options.filesOrigin}/files-pri/${this.options.teamId}-${f.id}`;
		return {
			id: f.id,
			created: f.created,
			timestamp: f.created,
			name: f.name,
			title: f.title,
			mimetype: f.mimetype,
			filetype: f.name.includes('.') ? f.name.split('.').pop()!.toLowerCase() : 'binary',
			pretty_type: f.mimetype,
			user: f.user,
			user_team: this.options.teamId,
			editable: false,
			size: f.size,
			mode: 'hosted',
			is_external: false,
			external_type: '',
			is_public: true,
			public_url_shared: false,
			display_as_bot: false,
			username: '',
			url_private: `${base}/${name}`,
			url_private_download: `${base}/download/${name}`,
			permalink: `https://${this.options.teamDomain}.slack.com/files/${f.user}/${f.id}/${name}`,
			permalink_public: `https://slack-files.com/${this.options.teamId}-${f.id}-${crypto.createHash('sha1').update(f.id).digest('hex').slice(0, 10)}`,
			has_rich_preview: false,
			file_access: 'visible',
		};
	}

	protected userView(u: SlackUser): Record<string, unknown> {
		const [first, ...rest] = u.realName.split(' ');
		const profile: Record<string, unknown> = {
			title: '',
			phone: '',
			skype: '',
			real_name: u.realName,
			real_name_normalized: u.realName,
			display_name: u.isBot ? '' : u.name,
			display_name_normalized: u.isBot ? '' : u.name,
			status_text: '',
			status_emoji: '',
			avatar_hash: crypto.createHash('md5').update(u.id).digest('hex').slice(0, 12),
			first_name: first ?? '',
			last_name: rest.join(' '),
			image_24: `https://avatars.slack-edge.com/${u.id}_24.png`,
			image_48: `https://avatars.slack-edge.com/${u.id}_48.png`,
			image_72: `https://avatars.slack-edge.com/${u.id}_72.png`,
			team: this.options.teamId,
		};
		if (u.email) profile.email = u.email;
		if (u.isBot) {
			profile.bot_id = this.options.botId;
			profile.api_app_id = this.options.appId;
			profile.always_active = true;
		}
		return {
			id: u.id,
			team_id: this.options.teamId,
			name: u.name,
			deleted: false,
			color: '9f69e7',
			real_name: u.realName,
			tz: 'Europe/Amsterdam',
			tz_label: 'Central European Time',
			tz_offset: 3600,
			profile,
			is_admin: false,
			is_owner: false,
			is_primary_owner: false,
			is_restricted: false,
			is_ultra_restricted: false,
			is_bot: u.isBot,
			is_app_user: false,
			updated: 1700000000,
			is_email_confirmed: !u.isBot,
		};
	}

	protected channelView(c: SlackChannel, forUser: string): Record<string, unknown> {
		return {
			id: c.id,
			name: c.name,
			is_channel: c.type === 'public',
			is_group: false,
			is_im: false,
			is_mpim: false,
			is_private: c.type === 'private',
			created: c.created,
			is_archived: c.archived,
			is_general: false,
			unlinked: 0,
			name_normalized: c.name,
			is_shared: false,
			is_org_shared: false,
			is_pending_ext_shared: false,
			pending_shared: [],
			context_team_id: this.options.teamId,
			creator: this.options.botUserId,
			is_ext_shared: false,
			shared_team_ids: [this.options.teamId],
			is_member: c.members.has(forUser),
			topic: { value: c.topic, creator: '', last_set: 0 },
			purpose: { value: c.purpose, creator: '', last_set: 0 },
			num_members: c.members.size,
		};
	}
}
