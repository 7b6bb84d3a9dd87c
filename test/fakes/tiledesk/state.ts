import * as http from 'http';
import * as crypto from 'crypto';

import { Outbox, Router, Timers, clone } from '../http';
import { fullName } from './common';
import type {
	GuestRecord,
	LeadRecord,
	RequestRecord,
	RouteDef,
	SubscriptionRecord,
	TiledeskApiCall,
	TiledeskBot,
	TiledeskDeliveryAttempt,
	TiledeskDepartment,
	TiledeskGroup,
	TiledeskMessage,
	TiledeskProject,
	TiledeskProjectUser,
	TiledeskSimulatorOptions,
	TiledeskUser,
	UserRecord,
} from './common';

/**
 * What the simulated Tiledesk server holds (users, projects, departments, bots, requests and their
 * messages, subscriptions) and the views its API answers with. The bottom layer of
 * TiledeskSimulator: each file above adds one part (requests.ts → server.ts → authApi.ts →
 * requestsApi.ts → projectsApi.ts → simulator.ts) and sees what the layers below it keep.
 */
export abstract class TiledeskState {
	/** Set by the constructor (simulator.ts). */
	protected options!: Required<TiledeskSimulatorOptions>;
	protected server: http.Server | undefined;
	protected port = 0;
	protected router = new Router<RouteDef>();
	protected timers = new Timers();
	protected outbox = new Outbox();
	protected stopped = false;
	/** tiledesk-server models/subscription.js: the `uuidv4()` default, drawn once per server process (kept by reset()). */
	protected processSecret = crypto.randomUUID();
	/** Passwords, shared and subscription secrets, JWTs issued or accepted (see secrets()). */
	protected knownSecrets = new Set<string>();

	protected users = new Map<string, UserRecord>();
	protected guests = new Map<string, GuestRecord>();
	protected projects = new Map<string, TiledeskProject>();
	/** models/project.js `jwtSecret` (select: false): the project's shared secret; none until generated. */
	protected projectSecrets = new Map<string, string>();
	protected projectUsers: TiledeskProjectUser[] = [];
	protected departments = new Map<string, TiledeskDepartment>();
	protected groups = new Map<string, TiledeskGroup>();
	/** Project users at their max of assigned chats (CHOICE: set by tests, not counted from requests). */
	protected busyProjectUsers = new Set<string>();
	protected bots = new Map<string, TiledeskBot>();
	protected leads: LeadRecord[] = [];
	protected requests = new Map<string, RequestRecord>();
	protected messages = new Map<string, TiledeskMessage[]>();
	protected subscriptions: SubscriptionRecord[] = [];
	protected calls: TiledeskApiCall[] = [];
	protected attempts: TiledeskDeliveryAttempt[] = [];
	protected pendingDeliveries = 0;
	protected pendingEngine = 0;
	protected requestSeq = 0;

	// ---------------------------------------------------------------- internals: lookups and JSON

	protected resolveOptions(options: TiledeskSimulatorOptions): Required<TiledeskSimulatorOptions> {
		return {
			port: options.port ?? 0,
			host: options.host ?? '127.0.0.1',
			timeScale: options.timeScale ?? 1,
			jwtSecret: options.jwtSecret ?? crypto.randomBytes(24).toString('hex'),
			hookTimeoutMs: options.hookTimeoutMs ?? 30000,
			faults: options.faults ?? { rate: 0 },
			retryJitter: options.retryJitter ?? true,
			shareSubscriptionSecret: options.shareSubscriptionSecret ?? true,
			resthookEnabled: options.resthookEnabled ?? true,
			webhookOrigin: options.webhookOrigin ?? 'http://localhost:3000',
			engineDelayMs: options.engineDelayMs ?? 20,
		};
	}

	protected requireProject(projectId: string): TiledeskProject {
		const project = this.projects.get(projectId);
		if (!project) throw new Error(`unknown project ${projectId}`);
		return project;
	}

	protected key(projectId: string, requestId: string): string {
		return `${projectId}/${requestId}`;
	}

	protected findRequest(projectId: string, requestId: string): RequestRecord | undefined {
		return this.requests.get(this.key(projectId, requestId));
	}

	protected findRequestAnywhere(requestId: string): RequestRecord | undefined {
		return [...this.requests.values()].find((r) => r.request_id === requestId);
	}

	protected requireRequest(requestId: string): RequestRecord {
		const r = this.findRequestAnywhere(requestId);
		if (!r) throw new Error(`unknown request ${requestId}`);
		return r;
	}

	protected messagesOf(r: RequestRecord): TiledeskMessage[] {
		return this.messages.get(this.key(r.id_project, r.request_id)) ?? [];
	}

	protected userJson(u: UserRecord): TiledeskUser & { fullName?: string; id: string; __v: number } {
		return {
			_id: u._id,
			email: u.email,
			firstname: u.firstname,
			lastname: u.lastname,
			emailverified: u.emailverified,
			createdAt: u.createdAt,
			updatedAt: u.updatedAt,
			fullName: fullName(u),
			id: u._id,
			__v: 0,
		};
	}

	protected projectUserJson(pu: TiledeskProjectUser): Record<string, unknown> {
		const user = pu.id_user ? this.users.get(pu.id_user) : undefined;
		return { ...pu, id_user: user ? this.userJson(user) : pu.id_user, __v: 0, id: pu._id };
	}

	protected departmentJson(d: TiledeskDepartment | undefined): Record<string, unknown> | undefined {
		if (!d) return undefined;
		const out: Record<string, unknown> = { ...d, __v: 0, id: d._id };
		const bot = d.id_bot ? this.bots.get(d.id_bot) : undefined;
		if (bot) out.bot = { ...bot }; // event/messageEvent.js adds department.bot to message payloads
		return out;
	}

	private leadJson(l: LeadRecord | undefined): Record<string, unknown> | undefined {
		return l ? { ...clone(l), __v: 0, id: l._id } : undefined;
	}

	/** The request as upstream returns it: lead, department, requester and participants populated. */
	protected requestJson(r: RequestRecord): Record<string, unknown> {
		const { snapshotAgents, seq, ...plain } = r;
		const lead = this.leads.find((l) => l._id === r.lead);
		const requester = this.projectUsers.find((pu) => pu._id === r.requester);
		const department = r.department ? this.departments.get(r.department) : undefined;
		return clone({
			...plain,
			lead: this.leadJson(lead) ?? r.lead,
			department: this.departmentJson(department),
			requester: requester ? this.projectUserJson(requester) : r.requester,
			snapshot: {
				department: this.departmentJson(department),
				lead: this.leadJson(lead),
				availableAgentsCount: this.availableAgents(r.id_project).length,
			},
			participatingAgents: r.participantsAgents
				.map((id) => this.users.get(id))
				.filter((u): u is UserRecord => !!u)
				.map((u) => this.userJson(u)),
			participatingBots: r.participantsBots.map((id) => this.bots.get(id)).filter((b) => !!b),
			requester_id: r.requester,
			__v: 0,
			id: r._id,
		});
	}

	/** As saved (POST's answer, with secret and global) or as found (`select: false` fields left out). */
	protected subscriptionJson(s: SubscriptionRecord, withSecret = false): Record<string, unknown> {
		const { secret, global, ...rest } = s;
		return withSecret ? { ...rest, secret, global: global ?? false, __v: 0 } : { ...rest, __v: 0 };
	}

	// ---------------------------------------------------------------- internals: routing and requests

	/** Project members with an agent role (roleType 1), active and available (upstream getOperators). */
	protected availableAgents(projectId: string): TiledeskProjectUser[] {
		return this.projectUsers.filter(
			(pu) => pu.id_project === projectId && pu.roleType === 1 && pu.status === 'active' && pu.user_available && !!pu.id_user,
		);
	}

	protected agentIds(projectId: string): string[] {
		return this.projectUsers
			.filter((pu) => pu.id_project === projectId && pu.roleType === 1 && pu.id_user)
			.map((pu) => pu.id_user!);
	}
}
