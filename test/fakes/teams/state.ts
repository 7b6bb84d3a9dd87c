import * as crypto from 'crypto';

import { Outbox, Timers } from '../http';
import { DEFAULTS } from './common';
import type {
	GraphApiCall,
	GraphChannel,
	GraphTeam,
	GraphUser,
	MessageRecord,
	NotificationAttempt,
	SubscriptionRecord,
	TeamsSimulatorOptions,
} from './common';

type ResolvedOptions = Required<Omit<TeamsSimulatorOptions, 'faults' | 'credentialUser'>> &
	Pick<TeamsSimulatorOptions, 'faults'> & { credentialUser: GraphUser };

interface AccessToken {
	user: string;
	expiresAt: number;
}

/**
 * What the simulated tenant holds (users, teams, channels, messages, subscriptions, tokens) and the
 * views Graph shows of it. The bottom layer of TeamsSimulator: subscriptions.ts → webApi.ts →
 * messagesApi.ts → simulator.ts build on it.
 */
export abstract class TeamsState {
	protected options!: ResolvedOptions;
	protected timers = new Timers();
	protected outbox = new Outbox();
	protected stopped = false;

	protected users = new Map<string, GraphUser>();
	protected accessTokens = new Map<string, AccessToken>();
	/** Refresh token → user. */
	protected refreshTokens = new Map<string, string>();
	protected teams = new Map<string, GraphTeam>();
	protected channels = new Map<string, GraphChannel>();
	/** Every message and reply, by id (ids are unique in the tenant: creation times in ms). */
	protected messages = new Map<string, MessageRecord>();
	protected subscriptions = new Map<string, SubscriptionRecord>();
	protected calls: GraphApiCall[] = [];
	protected attempts: NotificationAttempt[] = [];
	private lastId = 0;

	protected resolveOptions(options: TeamsSimulatorOptions): ResolvedOptions {
		return {
			tenantId: options.tenantId ?? DEFAULTS.tenantId,
			clientId: options.clientId ?? DEFAULTS.clientId,
			clientSecret: options.clientSecret ?? DEFAULTS.clientSecret,
			credentialUser: { ...DEFAULTS.credentialUser, ...(options.credentialUser ?? {}) },
			accessToken: options.accessToken ?? DEFAULTS.accessToken,
			refreshToken: options.refreshToken ?? DEFAULTS.refreshToken,
			accessTokenLifetimeSec: options.accessTokenLifetimeSec ?? 3599,
			timeScale: options.timeScale ?? 1,
			ackTimeoutMs: options.ackTimeoutMs ?? 3000,
			validationTimeoutMs: options.validationTimeoutMs ?? 10_000,
			retryForMs: options.retryForMs ?? 4 * 3600_000,
			route: options.route ?? ((url) => url),
			faults: options.faults,
		};
	}

	protected resetState(): void {
		this.accessTokens.clear();
		this.refreshTokens.clear();
		this.teams.clear();
		this.channels.clear();
		this.messages.clear();
		this.subscriptions.clear();
		this.calls = [];
		this.attempts = [];
		const me = this.options.credentialUser;
		this.users.set(me.id, me);
		this.accessTokens.set(this.options.accessToken, { user: me.id, expiresAt: Date.now() + this.options.accessTokenLifetimeSec * 1000 });
		this.refreshTokens.set(this.options.refreshToken, me.id);
	}

	/**
	 * Message ids are the creation time in milliseconds, as Graph's are (`1616990032035`); kept
	 * strictly increasing here so two posts in one millisecond stay apart (inferred).
	 */
	protected nextMessageId(): string {
		let id = Date.now();
		if (id <= this.lastId) id = this.lastId + 1;
		this.lastId = id;
		return String(id);
	}

	protected get me(): GraphUser {
		return this.options.credentialUser;
	}

	protected repliesOf(rootId: string): MessageRecord[] {
		return [...this.messages.values()].filter((m) => m.replyToId === rootId).sort((a, b) => Number(a.id) - Number(b.id));
	}

	protected topLevel(teamId: string, channelId: string): MessageRecord[] {
		return [...this.messages.values()]
			.filter((m) => m.teamId === teamId && m.channelId === channelId && m.replyToId === undefined)
			.sort((a, b) => Number(a.id) - Number(b.id));
	}

	/** `teams('t')/channels('c')/messages('root')[/replies('id')]`: a notification's resource and @odata.id. */
	protected resourcePath(m: MessageRecord): string {
		const root = `teams('${m.teamId}')/channels('${m.channelId}')/messages('${m.replyToId ?? m.id}')`;
		return m.replyToId ? `${root}/replies('${m.id}')` : root;
	}

	/** A chatMessage as Graph returns it (the sample responses of "Get chatMessage in a channel"). */
	protected messageView(m: MessageRecord, version: string): Record<string, any> {
		const user = this.users.get(m.from);
		const rootId = m.replyToId ?? m.id;
		const channel = encodeURIComponent(m.channelId);
		const context = m.replyToId
			? `teams('${m.teamId}')/channels('${encodeURIComponent(m.channelId)}')/messages('${m.replyToId}')/replies/$entity`
			: `teams('${m.teamId}')/channels('${encodeURIComponent(m.channelId)}')/messages/$entity`;
		const view: Record<string, any> = {
			'@odata.context': `https://graph.microsoft.com/${version}/$metadata#${context}`,
			id: m.id,
			replyToId: m.replyToId ?? null,
			etag: m.id,
			messageType: 'message',
			createdDateTime: m.createdDateTime,
			lastModifiedDateTime: m.createdDateTime,
			lastEditedDateTime: null,
			deletedDateTime: null,
			subject: m.subject,
			summary: null,
			chatId: null,
			importance: 'normal',
			locale: 'en-us',
			webUrl: `https://teams.microsoft.com/l/message/${channel}/${m.id}?groupId=${m.teamId}&tenantId=${this.options.tenantId}&createdTime=${m.id}&parentMessageId=${rootId}`,
			policyViolation: null,
			eventDetail: null,
			from: {
				application: null,
				device: null,
				user: {
					'@odata.type': '#microsoft.graph.teamworkUserIdentity',
					id: m.from,
					displayName: user?.displayName ?? null,
					userIdentityType: 'aadUser',
					tenantId: this.options.tenantId,
				},
			},
			body: { contentType: m.body.contentType, content: m.body.content },
			channelIdentity: { teamId: m.teamId, channelId: m.channelId },
			attachments: m.attachments.map((a) => ({ ...a })),
			mentions: [],
			reactions: [],
		};
		// (inferred) beta also returns messageHistory; v1.0 has it too since 2023, kept on both.
		view.messageHistory = [];
		return view;
	}

	protected subscriptionView(s: SubscriptionRecord): Record<string, unknown> {
		return {
			id: s.id,
			resource: s.resource,
			applicationId: this.options.clientId,
			changeType: s.changeType,
			clientState: s.clientState ?? null,
			notificationUrl: s.notificationUrl,
			notificationQueryOptions: null,
			lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
			expirationDateTime: s.expirationDateTime,
			creatorId: s.creatorId,
			includeResourceData: s.includeResourceData,
			latestSupportedTlsVersion: s.latestSupportedTlsVersion,
			encryptionCertificate: null,
			encryptionCertificateId: null,
			notificationUrlAppId: null,
		};
	}

	protected newAccessToken(user: string): { token: string; expiresIn: number } {
		const token = `eyJ0eXAiOiJKV1QiLCJub25jZSI6${crypto.randomBytes(24).toString('base64url')}`;
		this.accessTokens.set(token, { user, expiresAt: Date.now() + this.options.accessTokenLifetimeSec * 1000 });
		return { token, expiresIn: this.options.accessTokenLifetimeSec };
	}
}
