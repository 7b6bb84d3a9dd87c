/**
 * Tiledesk simulator: auth, requests (conversations), messages, departments, project users and
 * REST-hook subscriptions, as described in the project's Tiledesk fact sheet ("the sheet") and,
 * where the sheet is silent, as the open-source server does it (Tiledesk/tiledesk-server 2.19:
 * routes/request.js, routes/message.js, routes/subscription.js, services/requestService.js,
 * services/subscriptionNotifier*.js, pubmodules/messageActions, pubmodules/rules/conciergeBot.js).
 * Citations below name those files (`tiledesk-server <path>`); nothing is copied from them. What
 * the code does not show is marked UNCONFIRMED. docs/platforms/tiledesk.md lists the facts the
 * nodes rely on, with their sources.
 *
 * `baseUrl` is the API root (the `/v3` of the cloud URL is just a path prefix there).
 * Control API (no auth): methods on the class and HTTP routes under `/_control/...`.
 */
import * as http from 'http';
import * as crypto from 'crypto';

import { clone, close, listen, objectId, parseJsonBody, sendJson, waitFor } from '../http';
import type { FaultInjection } from '../http';
import { fullName, nowIso, ok } from './common';
import type {
	Reply,
	TiledeskApiCall,
	TiledeskBot,
	TiledeskDeliveryAttempt,
	TiledeskDepartment,
	TiledeskGroup,
	TiledeskMessage,
	TiledeskProject,
	TiledeskProjectUser,
	TiledeskRole,
	TiledeskSimulatorOptions,
	TiledeskUser,
	UserRecord,
} from './common';
import { TiledeskProjectsApi } from './projectsApi';

export class TiledeskSimulator extends TiledeskProjectsApi {
	constructor(options: TiledeskSimulatorOptions = {}) {
		super();
		this.options = this.resolveOptions(options);
		this.registerRoutes();
	}

	async start(options: TiledeskSimulatorOptions = {}): Promise<this> {
		if (Object.keys(options).length > 0) this.options = this.resolveOptions({ ...this.options, ...options });
		this.stopped = false;
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				sendJson(res, 500, { success: false, msg: `Simulator error: ${String(err?.message ?? err)}` });
			});
		});
		this.port = await listen(this.server, this.options.port, this.options.host);
		return this;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pendingDeliveries = 0;
		this.pendingEngine = 0;
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	/** API root, e.g. `http://127.0.0.1:4502` (project routes are `/{project_id}/...`). */
	get baseUrl(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	get controlUrl(): string {
		return `${this.baseUrl}/_control`;
	}

	static readonly controlRoutes = [
		'GET    /_control                                  this list',
		'POST   /_control/reset                            forget everything',
		'POST   /_control/projects                         {name} → project, default department, owner {email, password}?',
		'POST   /_control/projects/:pid/agents             {email, password, firstname?, lastname?, role?, available?}',
		'PATCH  /_control/projects/:pid/agents/:userId     {available}',
		'POST   /_control/projects/:pid/departments        {name, routing?, id_bot?}',
		'POST   /_control/projects/:pid/bots               {name}',
		'POST   /_control/projects/:pid/groups             {name, members?: userIds, departmentId?} → group (the department\'s group)',
		'PUT    /_control/projects/:pid/operating_hours    {tzname, "0".."6": [{start, end}]} or {} to switch them off',
		'PATCH  /_control/projects/:pid/agents/:userId     {busy}: at the max of assigned chats (isBusy)',
		'GET    /_control/requests                         all requests',
		'GET    /_control/requests/:rid                    one request (populated)',
		'GET    /_control/requests/:rid/messages           its messages',
		'POST   /_control/requests/:rid/agent_says         {agentId, text, attributes?}',
		'POST   /_control/requests/:rid/user_says          {text}',
		'POST   /_control/requests/:rid/agent_joins        {agentId}',
		'POST   /_control/requests/:rid/close              {agentId?}',
		'GET    /_control/calls                            recorded API calls',
		'GET    /_control/deliveries                       webhook delivery attempts',
		'POST   /_control/projects/:pid/shared_secret      {secret?} → {secret}: set (or generate) the project\'s shared secret',
		'GET    /_control/subscriptions                    REST-hook subscriptions, with their secrets',
	];

	// ---------------------------------------------------------------- control API (methods)

	/** A project with its default department (routing `assigned`), optionally with an owner. */
	createProject(input: {
		name: string;
		id?: string;
		owner?: { email: string; password: string; firstname?: string; lastname?: string };
	}): { project: TiledeskProject; department: TiledeskDepartment; owner?: TiledeskUser } {
		const now = nowIso();
		const project: TiledeskProject = { _id: input.id ?? objectId(), name: input.name, createdAt: now, updatedAt: now };
		this.projects.set(project._id, project);
		const department = this.createDepartment(project._id, { name: 'Default Department', routing: 'assigned', default: true });
		let owner: TiledeskUser | undefined;
		if (input.owner) {
			owner = this.createAgent(project._id, { ...input.owner, role: 'owner', available: false }).user;
		}
		return { project: { ...project }, department, owner };
	}

	createUser(input: { email: string; password: string; firstname?: string; lastname?: string }): TiledeskUser {
		const email = input.email.toLowerCase();
		const existing = [...this.users.values()].find((u) => u.email === email);
		if (existing) return this.userJson(existing);
		const now = nowIso();
		const user: UserRecord = {
			_id: objectId(),
			email,
			password: input.password,
			firstname: input.firstname ?? email.split('@')[0],
			lastname: input.lastname ?? '',
			emailverified: true,
			createdAt: now,
			updatedAt: now,
		};
		this.users.set(user._id, user);
		return this.userJson(user);
	}

	addProjectUser(projectId: string, userId: string, role: TiledeskRole, available = true): TiledeskProjectUser {
		this.requireProject(projectId);
		const now = nowIso();
		const existing = this.projectUsers.find((pu) => pu.id_project === projectId && pu.id_user === userId);
		if (existing) {
			existing.role = role;
			existing.roleType = ['user', 'guest'].includes(role) ? 2 : 1;
			existing.user_available = available;
			return { ...existing };
		}
		const pu: TiledeskProjectUser = {
			_id: objectId(),
			id_project: projectId,
			id_user: userId,
			role,
			roleType: ['user', 'guest'].includes(role) ? 2 : 1,
			user_available: available,
			status: 'active',
			createdAt: now,
			updatedAt: now,
		};
		this.projectUsers.push(pu);
		return { ...pu };
	}

	/** A user who is a member of the project (default role `agent`, available). */
	createAgent(
		projectId: string,
		input: {
			email: string;
			password: string;
			firstname?: string;
			lastname?: string;
			role?: TiledeskRole;
			available?: boolean;
		},
	): { user: TiledeskUser; project_user: TiledeskProjectUser } {
		const user = this.createUser(input);
		const project_user = this.addProjectUser(projectId, user._id, input.role ?? 'agent', input.available ?? true);
		return { user, project_user };
	}

	setAgentAvailability(projectId: string, userId: string, available: boolean): void {
		const pu = this.projectUsers.find((p) => p.id_project === projectId && p.id_user === userId);
		if (!pu) throw new Error(`user ${userId} is not a member of project ${projectId}`);
		pu.user_available = available;
		pu.updatedAt = nowIso();
	}

	/**
	 * The project's operating hours (models/project.js `activeOperatingHours`, `operatingHours` as
	 * JSON text): `{tzname, "1": [{start: "09:00", end: "18:00"}], …}` with days 0 = Sunday; null
	 * switches them off. A string is stored as it is (to simulate a broken value).
	 */
	setOperatingHours(projectId: string, hours: Record<string, unknown> | string | null): void {
		const project = this.requireProject(projectId);
		project.activeOperatingHours = hours !== null;
		project.operatingHours = hours === null ? undefined : typeof hours === 'string' ? hours : JSON.stringify(hours);
		project.updatedAt = nowIso();
	}

	/** A group of agents; with `departmentId` it becomes that department's group (`id_group`). */
	createGroup(projectId: string, input: { name: string; members?: string[]; enabled?: boolean; departmentId?: string }): TiledeskGroup {
		this.requireProject(projectId);
		const now = nowIso();
		const group: TiledeskGroup = {
			_id: objectId(),
			id_project: projectId,
			name: input.name,
			members: [...(input.members ?? [])],
			enabled: input.enabled ?? true,
			createdAt: now,
			updatedAt: now,
		};
		this.groups.set(group._id, group);
		if (input.departmentId) this.setDepartmentGroup(input.departmentId, group._id);
		return { ...group, members: [...group.members] };
	}

	setDepartmentGroup(departmentId: string, groupId: string | null): void {
		const department = this.departments.get(departmentId);
		if (!department) throw new Error(`unknown department ${departmentId}`);
		if (groupId !== null && !this.groups.has(groupId)) throw new Error(`unknown group ${groupId}`);
		department.id_group = groupId;
	}

	/** The agent is (or is no longer) at the max of assigned chats: `isBusy` in the project users list. */
	setAgentBusy(projectId: string, userId: string, busy: boolean): void {
		const pu = this.projectUsers.find((p) => p.id_project === projectId && p.id_user === userId);
		if (!pu) throw new Error(`user ${userId} is not a member of project ${projectId}`);
		if (busy) this.busyProjectUsers.add(pu._id);
		else this.busyProjectUsers.delete(pu._id);
	}

	createDepartment(
		projectId: string,
		input: { name: string; routing?: TiledeskDepartment['routing']; id_bot?: string | null; default?: boolean },
	): TiledeskDepartment {
		this.requireProject(projectId);
		const now = nowIso();
		const department: TiledeskDepartment = {
			_id: objectId(),
			id_project: projectId,
			name: input.name,
			routing: input.routing ?? 'assigned',
			default: input.default ?? false,
			status: 1,
			id_bot: input.id_bot ?? null,
			createdAt: now,
			updatedAt: now,
		};
		this.departments.set(department._id, department);
		return { ...department };
	}

	/** A bot; it answers nothing, it only exists as participant `bot_<_id>` and department bot. */
	createBot(projectId: string, input: { name: string }): TiledeskBot {
		this.requireProject(projectId);
		const bot: TiledeskBot = { _id: objectId(), id_project: projectId, name: input.name, type: 'internal', createdAt: nowIso() };
		this.bots.set(bot._id, bot);
		return { ...bot };
	}

	/**
	 * Sets the project's shared secret (dashboard: Project Settings → Visitor Authentication →
	 * Generate), with which custom visitor tokens for `/auth/signinWithCustomToken` are signed.
	 * Without `secret` a new random one is generated, as the dashboard does. Projects have none
	 * until then (models/project.js `jwtSecret` has no default). Returns the secret.
	 */
	setProjectSecret(projectId: string, secret?: string): string {
		this.requireProject(projectId);
		const value = secret ?? crypto.randomUUID();
		if (value === '') throw new Error('the shared secret cannot be empty');
		this.projectSecrets.set(projectId, value);
		this.knownSecrets.add(value);
		return value;
	}

	/** Reliability tests: from now on refuse this share of API calls (see FaultInjection); `{rate: 0}` stops. */
	setFaults(faults: FaultInjection): void {
		this.options.faults = faults;
	}

	/**
	 * Every secret this simulator knows: the users' passwords, the server's JWT secret and its
	 * subscription secret, the projects' shared secrets, every subscription secret set, every JWT it
	 * issued (sign-ins, webhook delivery tokens) or accepted (custom visitor tokens), every Basic
	 * credential it accepted. For leak checks: none may show up in n8n's execution data or log.
	 */
	secrets(): string[] {
		const passwords = [...this.users.values()].map((u) => u.password);
		return [...new Set([this.options.jwtSecret, this.processSecret, ...passwords, ...this.knownSecrets])];
	}

	getProjectSecret(projectId: string): string | undefined {
		return this.projectSecrets.get(projectId);
	}

	/** REST-hook subscriptions (with their secrets, which Tiledesk's own list does not show). */
	listSubscriptions(projectId?: string): Array<Record<string, unknown>> {
		return this.subscriptions
			.filter((s) => projectId === undefined || s.id_project === projectId)
			.map((s) => this.subscriptionJson(s, true));
	}

	setDepartmentBot(departmentId: string, botId: string | null): void {
		const dep = this.departments.get(departmentId);
		if (!dep) throw new Error(`unknown department ${departmentId}`);
		dep.id_bot = botId;
	}

	/** The agent writes in the conversation from the agent console (fires message.create). */
	agentSays(
		requestId: string,
		agentId: string,
		input: string | { text: string; type?: string; metadata?: Record<string, unknown>; attributes?: Record<string, unknown> },
	): TiledeskMessage {
		const r = this.requireRequest(requestId);
		const user = this.users.get(agentId);
		if (!user) throw new Error(`unknown agent ${agentId}`);
		const body = typeof input === 'string' ? { text: input } : input;
		const message = this.addMessage(r, {
			sender: agentId,
			senderFullname: fullName(user) ?? user.email,
			text: body.text,
			type: body.type,
			metadata: body.metadata,
			attributes: body.attributes,
			createdBy: agentId,
		});
		// routes/message.js: a participant writing sets the first response / waiting time.
		if (r.participants.includes(agentId)) this.updateWaitingTime(r);
		return clone(message);
	}

	/** The end user (the request's lead) writes in the widget. */
	userSays(requestId: string, text: string): TiledeskMessage {
		const r = this.requireRequest(requestId);
		const lead = this.leads.find((l) => l._id === r.lead)!;
		return clone(
			this.addMessage(r, { sender: lead.lead_id, senderFullname: lead.fullname ?? 'Guest', text, createdBy: lead.lead_id }),
		);
	}

	/** The agent joins the conversation from the console (POST participants). */
	agentJoins(requestId: string, agentId: string): Record<string, unknown> {
		const r = this.requireRequest(requestId);
		this.addParticipant(r, agentId);
		return this.requestJson(r);
	}

	/** The agent closes the conversation from the console. */
	agentCloses(requestId: string, agentId?: string): Record<string, unknown> {
		const r = this.requireRequest(requestId);
		this.closeRequest(r, agentId ?? 'system');
		return this.requestJson(r);
	}

	getRequest(requestId: string): Record<string, unknown> | undefined {
		const r = this.findRequestAnywhere(requestId);
		return r ? this.requestJson(r) : undefined;
	}

	listRequests(projectId?: string): Array<Record<string, unknown>> {
		return [...this.requests.values()]
			.filter((r) => projectId === undefined || r.id_project === projectId)
			.map((r) => this.requestJson(r));
	}

	/** Messages of a request, oldest first. */
	getMessages(requestId: string): TiledeskMessage[] {
		const r = this.findRequestAnywhere(requestId);
		return r ? clone(this.messagesOf(r)) : [];
	}

	getCalls(): TiledeskApiCall[] {
		return clone(this.calls);
	}

	getDeliveries(): TiledeskDeliveryAttempt[] {
		return clone(this.attempts);
	}

	/** Resolves when no webhook delivery or chat-engine step is pending. */
	async idle(timeoutMs = 10000): Promise<void> {
		await waitFor(() => this.pendingDeliveries === 0 && this.pendingEngine === 0, timeoutMs);
	}

	reset(): void {
		this.timers.clearAll();
		this.outbox.abortAll();
		this.pendingDeliveries = 0;
		this.pendingEngine = 0;
		this.users.clear();
		this.guests.clear();
		this.projects.clear();
		this.projectSecrets.clear();
		this.projectUsers = [];
		this.departments.clear();
		this.groups.clear();
		this.busyProjectUsers.clear();
		this.bots.clear();
		this.leads = [];
		this.requests.clear();
		this.messages.clear();
		this.subscriptions = [];
		this.calls = [];
		this.attempts = [];
	}

	/** A ready-to-use project for people trying the simulator (used by start.ts). */
	seedDemo(): {
		project: TiledeskProject;
		owner: { email: string; password: string; _id: string };
		agents: Array<{ email: string; password: string; _id: string }>;
	} {
		const { project, owner } = this.createProject({
			name: 'Demo project',
			owner: { email: 'owner@example.com', password: 'owner-password', firstname: 'Olivia', lastname: 'Owner' },
		});
		const a1 = this.createAgent(project._id, { email: 'agent1@example.com', password: 'agent-password', firstname: 'Alice', lastname: 'Agent' });
		const a2 = this.createAgent(project._id, { email: 'agent2@example.com', password: 'agent-password', firstname: 'Bob', lastname: 'Agent', available: false });
		return {
			project,
			owner: { email: 'owner@example.com', password: 'owner-password', _id: owner!._id },
			agents: [
				{ email: 'agent1@example.com', password: 'agent-password', _id: a1.user._id },
				{ email: 'agent2@example.com', password: 'agent-password', _id: a2.user._id },
			],
		};
	}

	private registerRoutes(): void {
		this.registerAuthRoutes();
		this.registerProjectRoutes();
		this.registerMessageRoutes();
		this.registerRequestRoutes();
		this.registerDepartmentRoutes();
		this.registerProjectUserRoutes();
		this.registerSubscriptionRoutes();
	}

	// ---------------------------------------------------------------- control API (HTTP)

	protected async handleControl(method: string, path: string, rawBody: string, res: http.ServerResponse): Promise<void> {
		let body: any;
		try {
			body = parseJsonBody(rawBody) ?? {};
		} catch (err) {
			sendJson(res, 400, { error: `bad JSON: ${(err as Error).message}` });
			return;
		}
		const parts = path.split('/').filter(Boolean).slice(1);
		try {
			const result = this.control(method, parts, body);
			if (result === undefined) sendJson(res, 404, { error: `no control route ${method} ${path}` });
			else sendJson(res, result.status, result.body);
		} catch (err) {
			sendJson(res, 400, { error: String((err as Error)?.message ?? err) });
		}
	}

	private control(method: string, parts: string[], body: any): Reply | undefined {
		const [first, second, third, fourth] = parts;
		if (method === 'GET' && parts.length === 0) return ok({ baseUrl: this.baseUrl, routes: TiledeskSimulator.controlRoutes });
		if (method === 'POST' && first === 'reset' && parts.length === 1) {
			this.reset();
			return ok({ success: true });
		}
		if (first === 'projects') {
			if (method === 'POST' && parts.length === 1) return { status: 201, body: this.createProject(body) };
			if (method === 'GET' && parts.length === 1) return ok([...this.projects.values()]);
			if (method === 'POST' && third === 'agents' && parts.length === 3) {
				return { status: 201, body: this.createAgent(second, body) };
			}
			if (method === 'PATCH' && third === 'agents' && parts.length === 4) {
				if (typeof body.busy === 'boolean') this.setAgentBusy(second, fourth, body.busy);
				if (body.busy === undefined || body.available !== undefined) this.setAgentAvailability(second, fourth, body.available === true);
				return ok({ success: true });
			}
			if (method === 'POST' && third === 'groups' && parts.length === 3) {
				return { status: 201, body: this.createGroup(second, body) };
			}
			if (method === 'PUT' && third === 'operating_hours' && parts.length === 3) {
				this.setOperatingHours(second, body && typeof body === 'object' && Object.keys(body).length ? body : null);
				return ok({ success: true });
			}
			if (method === 'POST' && third === 'departments' && parts.length === 3) {
				return { status: 201, body: this.createDepartment(second, body) };
			}
			if (method === 'POST' && third === 'bots' && parts.length === 3) {
				return { status: 201, body: this.createBot(second, body) };
			}
			if (method === 'POST' && third === 'shared_secret' && parts.length === 3) {
				return ok({ secret: this.setProjectSecret(second, typeof body.secret === 'string' ? body.secret : undefined) });
			}
		}
		if (first === 'requests') {
			if (method === 'GET' && parts.length === 1) return ok(this.listRequests());
			if (second === undefined) return undefined;
			if (!this.findRequestAnywhere(second)) return { status: 404, body: { error: `unknown request ${second}` } };
			if (method === 'GET' && parts.length === 2) return ok(this.getRequest(second));
			if (method === 'GET' && third === 'messages') return ok(this.getMessages(second));
			if (method === 'POST' && third === 'agent_says') {
				return { status: 201, body: this.agentSays(second, body.agentId, body.attributes ? body : body.text) };
			}
			if (method === 'POST' && third === 'user_says') return { status: 201, body: this.userSays(second, body.text) };
			if (method === 'POST' && third === 'agent_joins') return ok(this.agentJoins(second, body.agentId));
			if (method === 'POST' && third === 'close') return ok(this.agentCloses(second, body.agentId));
		}
		if (method === 'GET' && first === 'calls' && parts.length === 1) return ok(this.getCalls());
		if (method === 'GET' && first === 'deliveries' && parts.length === 1) return ok(this.getDeliveries());
		if (method === 'GET' && first === 'subscriptions' && parts.length === 1) return ok(this.listSubscriptions());
		return undefined;
	}
}
