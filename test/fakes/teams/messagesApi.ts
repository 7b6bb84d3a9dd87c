import { graphError } from './common';
import type { GraphAttachment, MessageRecord, Reply } from './common';
import type { GraphContext } from './webApi';
import { TeamsWebApi } from './webApi';

/** Graph's page sizes for channel messages and replies: `$top` up to 50; without it 20 (inferred). */
const MAX_TOP = 50;
const DEFAULT_PAGE = 20;

/**
 * Channel messages and replies (delegated, as n8n's Teams node calls them, on v1.0 and beta alike):
 * POST/GET …/messages, GET …/messages/{id} (top-level messages only: a reply is read under its
 * root, …/messages/{root}/replies/{id}, the only path Graph documents for it), POST/GET
 * …/messages/{id}/replies. Each new message or reply is a `created` change for the channel's
 * subscriptions.
 */
export abstract class TeamsMessagesApi extends TeamsWebApi {
	protected registerMessageRoutes(): void {
		const base = '/teams/:team/channels/:channel/messages';
		this.routes.add('POST', base, (ctx) => this.post(ctx));
		this.routes.add('GET', base, (ctx) => this.list(ctx, (c) => this.topLevel(c.teamId, c.id), `${this.pathOf(ctx)}`));
		this.routes.add('GET', `${base}/:message`, (ctx) => this.getOne(ctx));
		this.routes.add('POST', `${base}/:message/replies`, (ctx) => this.post(ctx));
		this.routes.add('GET', `${base}/:message/replies`, (ctx) => {
			const root = this.rootOf(ctx);
			if ('status' in root) return root;
			return this.list(ctx, () => this.repliesOf(root.id), `${this.pathOf(ctx)}/${root.id}/replies`);
		});
		this.routes.add('GET', `${base}/:message/replies/:reply`, (ctx) => {
			const root = this.rootOf(ctx);
			if ('status' in root) return root;
			const reply = this.messages.get(ctx.params.reply);
			if (!reply || reply.replyToId !== root.id) return graphError(404, 'NotFound', 'Resource not found');
			return { status: 200, body: this.messageView(reply, ctx.version) };
		});
	}

	private pathOf(ctx: GraphContext): string {
		return `https://graph.microsoft.com/${ctx.version}/teams/${ctx.params.team}/channels/${encodeURIComponent(ctx.params.channel)}/messages`;
	}

	/** The channel, if it exists and the signed-in user is a member of its team. */
	private channelOf(ctx: GraphContext): { teamId: string; id: string } | Reply {
		const team = this.teams.get(ctx.params.team);
		const channel = this.channels.get(ctx.params.channel);
		if (!team || !channel || channel.teamId !== team.id) return graphError(404, 'NotFound', 'Resource not found');
		if (!team.members.has(ctx.user)) return graphError(403, 'Forbidden', 'Forbidden');
		return channel;
	}

	private rootOf(ctx: GraphContext): MessageRecord | Reply {
		const channel = this.channelOf(ctx);
		if ('status' in channel) return channel;
		const m = this.messages.get(ctx.params.message);
		if (!m || m.teamId !== channel.teamId || m.channelId !== channel.id || m.replyToId !== undefined) {
			return graphError(404, 'NotFound', 'Resource not found');
		}
		return m;
	}

	private getOne(ctx: GraphContext): Reply {
		const m = this.rootOf(ctx);
		return 'status' in m ? m : { status: 200, body: this.messageView(m, ctx.version) };
	}

	/** Newest first (inferred: Graph documents no order), `$top` pages with `@odata.nextLink`. */
	private list(ctx: GraphContext, all: (channel: { teamId: string; id: string }) => MessageRecord[], link: string): Reply {
		const channel = this.channelOf(ctx);
		if ('status' in channel) return channel;
		const top = ctx.query.$top === undefined ? DEFAULT_PAGE : Number(ctx.query.$top);
		if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) return graphError(400, 'BadRequest', `Invalid page size specified: '${ctx.query.$top}'. Must be between 1 and ${MAX_TOP} inclusive.`);
		const skip = ctx.query.$skiptoken === undefined ? 0 : Number(Buffer.from(ctx.query.$skiptoken, 'base64url').toString('utf8'));
		if (!Number.isInteger(skip) || skip < 0) return graphError(400, 'BadRequest', 'Invalid skip token.');
		const items = all(channel).reverse();
		const page = items.slice(skip, skip + top);
		const body: Record<string, unknown> = {
			'@odata.context': `https://graph.microsoft.com/${ctx.version}/$metadata#Collection(chatMessage)`,
			'@odata.count': page.length,
			value: page.map((m) => this.messageView(m, ctx.version)),
		};
		if (skip + top < items.length) {
			body['@odata.nextLink'] = `${link}?$top=${top}&$skiptoken=${Buffer.from(String(skip + top)).toString('base64url')}`;
		}
		return { status: 200, body };
	}

	/** POST a message (or, under …/{id}/replies, a reply) as the signed-in user: 201 with the chatMessage. */
	private post(ctx: GraphContext): Reply {
		const channel = this.channelOf(ctx);
		if ('status' in channel) return channel;
		let root: MessageRecord | undefined;
		if (ctx.params.message !== undefined) {
			const found = this.rootOf(ctx);
			if ('status' in found) return found;
			root = found;
		}
		const body = ctx.body?.body;
		if (!body || typeof body.content !== 'string' || body.content === '') {
			return graphError(400, 'BadRequest', 'Missing or empty message body.');
		}
		const contentType = String(body.contentType ?? 'text').toLowerCase();
		if (contentType !== 'text' && contentType !== 'html') return graphError(400, 'BadRequest', `Invalid contentType '${body.contentType}'.`);
		const attachments: GraphAttachment[] = Array.isArray(ctx.body.attachments)
			? ctx.body.attachments.map((a: Partial<GraphAttachment>) => ({
					id: String(a.id ?? ''),
					contentType: String(a.contentType ?? 'reference'),
					contentUrl: a.contentUrl ?? null,
					content: a.content ?? null,
					name: a.name ?? null,
					thumbnailUrl: a.thumbnailUrl ?? null,
					teamsAppId: null,
				}))
			: [];
		const m = this.store({
			teamId: channel.teamId,
			channelId: channel.id,
			replyToId: root?.id,
			from: ctx.user,
			body: { contentType, content: body.content },
			subject: typeof ctx.body.subject === 'string' ? ctx.body.subject : null,
			attachments,
		});
		return { status: 201, body: this.messageView(m, ctx.version) };
	}

	/** Stores a new message or reply and notifies the channel's subscriptions. */
	protected store(input: Omit<MessageRecord, 'id' | 'createdDateTime'>): MessageRecord {
		const id = this.nextMessageId();
		const m: MessageRecord = { ...input, id, createdDateTime: new Date(Number(id)).toISOString() };
		this.messages.set(id, m);
		this.emitCreated(m);
		return m;
	}
}
