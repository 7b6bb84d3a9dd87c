/**
 * Microsoft Graph simulator for Teams channels: what n8n 2.40.7's Microsoft Teams node (v2:
 * channel message create, get, get all replies, reply) and Microsoft Teams Trigger (subscriptions,
 * change notifications) call, plus the identity platform's token endpoint for the refresh after a
 * 401. It is a request handler, not a server on 443: tests reach it as https://graph.microsoft.com
 * and https://login.microsoftonline.com through test/e2e/lib/tlsProxy.ts (or mount `handler`).
 *
 * It behaves as Graph documents, not as a client would like: a subscription exists only once its
 * notificationUrl echoed the validation token (text/plain, within 10 s); notifications carry no
 * message content (only the id: clients fetch the message); a notification not answered 2xx within
 * 3 s is sent again, with exponential backoff, for up to 4 hours. What the docs leave open is
 * marked "(inferred)" where it is decided.
 */
import * as crypto from 'crypto';
import * as http from 'http';

import { clone, close, listen } from '../http';
import { channelIdFor, escapeHtml } from './common';
import type { GraphApiCall, GraphUser, SubscriptionRecord, TeamsSimulatorOptions, UserPostInput } from './common';
import { TeamsMessagesApi } from './messagesApi';

export const DEFAULT_AGENT: GraphUser = { id: '2f4c8e1a-93b7-4d25-8c6e-5a1b9d3f7e20', displayName: 'Alice Agent', mail: 'alice@contoso.example' };

export class TeamsSimulator extends TeamsMessagesApi {
	private server: http.Server | undefined;

	constructor(options: TeamsSimulatorOptions = {}) {
		super();
		this.options = this.resolveOptions(options);
		this.registerSubscriptionRoutes();
		this.registerMessageRoutes();
		this.resetState();
		this.addUser(DEFAULT_AGENT);
	}

	// ---------------------------------------------------------------- the app and its credential

	/** The hosts `handler` serves, for the TLS proxy. */
	get hosts(): Record<string, http.RequestListener> {
		return { 'graph.microsoft.com': this.handler, 'login.microsoftonline.com': this.handler };
	}

	get tenantId(): string {
		return this.options.tenantId;
	}

	get clientId(): string {
		return this.options.clientId;
	}

	get clientSecret(): string {
		return this.options.clientSecret;
	}

	/** The user n8n's credential acts as (its posts are the relay's own). */
	get credentialUser(): GraphUser {
		return { ...this.me };
	}

	/** What n8n's microsoftTeamsOAuth2Api credential holds after the OAuth consent. */
	credentialData(): Record<string, unknown> {
		return {
			clientId: this.options.clientId,
			clientSecret: this.options.clientSecret,
			oauthTokenData: { token_type: 'Bearer', access_token: this.options.accessToken, refresh_token: this.options.refreshToken },
		};
	}

	/** Makes every access token issued so far expire now: the next Graph call gets a 401, a refresh gets a new one. */
	expireAccessTokens(): void {
		for (const token of this.accessTokens.values()) token.expiresAt = Date.now();
	}

	/**
	 * Time passes for the subscriptions only: each expires `ms` sooner, as if created that much
	 * earlier. Lets a test reach a subscription's last seconds, or its expiry (no more notifications,
	 * 404 to a renewal), without waiting 3 days.
	 */
	ageSubscriptions(ms: number): void {
		for (const s of this.subscriptions.values()) {
			s.expirationDateTime = new Date(Date.parse(s.expirationDateTime) - ms).toISOString().replace('Z', '0000Z');
		}
	}

	/** Every secret of the app (client secret, access and refresh tokens, clientStates), for leak checks. */
	secrets(): string[] {
		const states = [...this.subscriptions.values()].map((s) => s.clientState).filter((s): s is string => Boolean(s));
		return [...new Set([this.options.clientSecret, ...this.accessTokens.keys(), ...this.refreshTokens.keys(), ...states])];
	}

	// ---------------------------------------------------------------- the tenant

	addUser(input: { id?: string; displayName: string; mail?: string }): GraphUser {
		const user: GraphUser = { id: input.id ?? crypto.randomUUID(), displayName: input.displayName, mail: input.mail ?? `${input.displayName.toLowerCase().replace(/\W+/g, '.')}@contoso.example` };
		this.users.set(user.id, user);
		return { ...user };
	}

	/** A team; its members are every user known so far (the credential's user included) unless given. */
	createTeam(input: { id?: string; displayName: string; members?: string[] }): { id: string; displayName: string } {
		const id = input.id ?? crypto.randomUUID();
		this.teams.set(id, { id, displayName: input.displayName, members: new Set(input.members ?? [...this.users.keys()]) });
		return { id, displayName: input.displayName };
	}

	/** Adds a user to a team (members see its channels, post there, and get its channels' notifications). */
	addMember(teamId: string, userId: string): void {
		const team = this.teams.get(teamId);
		if (!team || !this.users.has(userId)) throw new Error(`unknown team ${teamId} or user ${userId}`);
		team.members.add(userId);
	}

	createChannel(teamId: string, input: { id?: string; displayName: string }): { id: string; displayName: string } {
		if (!this.teams.has(teamId)) throw new Error(`unknown team ${teamId}`);
		const id = input.id ?? channelIdFor();
		this.channels.set(id, { id, teamId, displayName: input.displayName });
		return { id, displayName: input.displayName };
	}

	/**
	 * A person writes in Teams (an agent answering in a thread): stored and notified like any
	 * other post. The Teams client sends HTML: the text escaped, in `<p>…</p>` (inferred: what
	 * the client does for plain typing); attached files are reference attachments with an
	 * `<attachment id>` tag in the body, as Graph shows SharePoint files.
	 */
	userPosts(teamId: string, channelId: string, input: UserPostInput): Record<string, any> {
		const user = this.users.get(input.user ?? DEFAULT_AGENT.id);
		if (!user) throw new Error(`unknown user ${input.user}`);
		const channel = this.channels.get(channelId);
		if (!channel || channel.teamId !== teamId) throw new Error(`unknown channel ${channelId} in ${teamId}`);
		if (!this.teams.get(teamId)!.members.has(user.id)) throw new Error(`${user.displayName} is not a member of ${teamId}`);
		if (input.replyTo !== undefined) {
			const root = this.messages.get(input.replyTo);
			if (!root || root.replyToId !== undefined || root.channelId !== channelId) throw new Error(`no message ${input.replyTo} to reply to in ${channelId} (the client offers no such thread)`);
		}
		const team = this.teams.get(teamId)!;
		const attachments = (input.files ?? []).map((f) => ({
			id: crypto.randomUUID(),
			contentType: 'reference',
			contentUrl: `https://contoso.sharepoint.com/sites/${encodeURIComponent(team.displayName)}/Shared%20Documents/${encodeURIComponent(channel.displayName)}/${encodeURIComponent(f.name)}`,
			content: null,
			name: f.name,
			thumbnailUrl: null,
			teamsAppId: null,
		}));
		const html = input.html ?? (input.text !== undefined ? `<p>${escapeHtml(input.text).replace(/\n/g, '<br>')}</p>` : '');
		const m = this.store({
			teamId,
			channelId,
			replyToId: input.replyTo,
			from: user.id,
			body: { contentType: 'html', content: html + attachments.map((a) => `<attachment id="${a.id}"></attachment>`).join('') },
			subject: null,
			attachments,
		});
		return this.messageView(m, 'v1.0');
	}

	/** An agent answers in a thread (a reply to `rootId`) as `user` (default the first agent). */
	agentReplies(rootId: string, text: string, options: { user?: string; files?: Array<{ name: string }> } = {}): Record<string, any> {
		const root = this.messages.get(rootId);
		if (!root) throw new Error(`no message ${rootId}`);
		return this.userPosts(root.teamId, root.channelId, { replyTo: rootId, text, user: options.user, files: options.files });
	}

	/** The channel's top-level messages, oldest first (as people scroll them). */
	getMessages(teamId: string, channelId: string): Array<Record<string, any>> {
		return this.topLevel(teamId, channelId).map((m) => this.messageView(m, 'v1.0'));
	}

	/** A thread as Teams shows it: the root, then its replies, oldest first. */
	getThread(rootId: string): Array<Record<string, any>> {
		const root = this.messages.get(rootId);
		if (!root || root.replyToId !== undefined) throw new Error(`no thread ${rootId}`);
		return [root, ...this.repliesOf(rootId)].map((m) => this.messageView(m, 'v1.0'));
	}

	/** A thread's replies, oldest first. */
	getReplies(rootId: string): Array<Record<string, any>> {
		return this.getThread(rootId).slice(1);
	}

	getSubscriptions(): SubscriptionRecord[] {
		return clone([...this.subscriptions.values()]);
	}

	/** Graph calls (and token requests), optionally those whose path matches. */
	getCalls(filter?: { method?: string; path?: RegExp; host?: string }): GraphApiCall[] {
		return clone(
			this.calls.filter(
				(c) => (!filter?.method || c.method === filter.method) && (!filter?.path || filter.path.test(c.path)) && (!filter?.host || c.host === filter.host),
			),
		);
	}

	// ---------------------------------------------------------------- controls

	/** Changes timing options of a running simulator. */
	configure(options: Pick<TeamsSimulatorOptions, 'timeScale' | 'ackTimeoutMs' | 'validationTimeoutMs' | 'retryForMs' | 'route'>): void {
		const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
		this.options = { ...this.options, ...defined };
	}

	setFaults(faults: TeamsSimulatorOptions['faults']): void {
		this.options.faults = clone(faults);
	}

	/** Serves `handler` on plain HTTP (tests that do not go through the TLS proxy send a Host header). */
	async listen(port = 0, host = '127.0.0.1'): Promise<string> {
		this.server = http.createServer(this.handler);
		const bound = await listen(this.server, port, host);
		return `http://${host}:${bound}`;
	}

	/** Forgets teams, channels, messages, subscriptions, calls and deliveries; keeps the users and the app. */
	reset(): void {
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pending.clear();
		this.sent.clear();
		this.resetState();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pending.clear();
		if (this.server) await close(this.server);
		this.server = undefined;
	}
}
